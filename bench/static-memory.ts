/**
 * A research measurement, not a product path: how far the model gets, static, when its
 * probabilities are blended with a memory of the training tweets — the `knn` baseline's votes (the
 * 50 most similar training tweets, TF-IDF cosine) — as `w · ln(p_model + 1e-5) + (1 − w) ·
 * ln(share of knn votes + floor)`. Candidates are the model's hashtags (the same vocabulary for
 * all): its 100 most probable plus every one the neighbours vote for.
 *
 * `w` and `floor` are chosen on the model's unseen validation tweets (from its `split_time` to
 * 2023-05-11, the memory holding the tweets before `split_time`); the test window is scored once,
 * with the memory holding every tweet before 2023-05-11.
 *
 *   npm run build && node dist/bench/static-memory.js --model DIR
 *
 * DIR: a model trained before 2023-05-11 (models/default's held-out twin, models/default/README.md).
 */
import { parseArgs } from "node:util";
import type { Example } from "../src/data/examples.js";
import { KnnBaseline } from "../src/eval/baselines/knn.js";
import { MetricsAccumulator, type Metrics } from "../src/eval/metrics.js";
import { topK } from "../src/recommend/top-k.js";
import { Recommender } from "../src/recommend/recommender.js";
import { fmt, loadTimeSplit } from "./common.js";

const NEIGHBOURS = 50;
const MODEL_CANDIDATES = 100;
const WEIGHTS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1];
const FLOORS = [0.001, 0.01, 0.05];

const { values } = parseArgs({ options: { model: { type: "string" } } });
if (!values.model) {
  console.error("usage: node dist/bench/static-memory.js --model DIR (a model trained before 2023-05-11)");
  process.exit(2);
}
const recommender = await Recommender.load(values.model);
const trainedBefore = recommender.model.trainedBefore;
if (trainedBefore === undefined) {
  console.error(`${values.model} has no train_config.json with a split_time: its unseen validation tweets are unknown`);
  process.exit(2);
}

/** One scored tweet: its truth, and each candidate's model probability and share of the memory's votes. */
interface Recorded {
  truth: Set<string>;
  covered: boolean;
  candidates: { key: string; model: number; memory: number }[];
}

async function record(memoryTweets: readonly Example[], scoredTweets: readonly Example[]): Promise<Recorded[]> {
  const memory = new KnnBaseline(memoryTweets, "all", NEIGHBOURS);
  const queries = scoredTweets.filter((e) => e.keys.length > 0 && e.query.length > 0);
  const scored = await recommender.score(queries.map((e) => ({ text: e.query, cleaned: true })));
  return queries.map((example, i) => {
    const probabilities = scored[i]!.probabilities;
    const votes = memory.votes(example.query);
    for (const key of votes.keys()) if (!recommender.hasHashtag(key)) votes.delete(key);
    let total = 0;
    for (const vote of votes.values()) total += vote;
    const keys = new Set(topK(probabilities, MODEL_CANDIDATES).map((t) => recommender.hashtags[t]!.key));
    for (const key of votes.keys()) keys.add(key);
    const candidates = [...keys].map((key) => ({
      key,
      model: probabilities[recommender.indexOf(key)!]!,
      memory: total > 0 ? (votes.get(key) ?? 0) / total : 0,
    }));
    return { truth: new Set(example.keys), covered: example.keys.some((key) => recommender.hasHashtag(key)), candidates };
  });
}

function score(tweets: readonly Recorded[], weight: number, floor: number): Metrics {
  const metrics = new MetricsAccumulator();
  for (const { truth, covered, candidates } of tweets) {
    const logit = (c: Recorded["candidates"][number]) => weight * Math.log(c.model + 1e-5) + (1 - weight) * Math.log(c.memory + floor);
    const ranked = candidates
      .map((c) => ({ key: c.key, logit: logit(c) }))
      .sort((a, b) => b.logit - a.logit)
      .slice(0, 10)
      .map((c) => c.key);
    metrics.add(ranked, truth, covered);
  }
  return metrics.result();
}

const { train, test } = await loadTimeSplit();
const validation = await record(
  train.filter((e) => e.time! < trainedBefore),
  train.filter((e) => e.time! >= trainedBefore),
);
console.error(`validation: ${validation.length} tweets from ${new Date(trainedBefore).toISOString()}, memory of the tweets before`);
let best = { weight: 1, floor: FLOORS[0]!, sum: -1 };
console.log("| w (model) | floor | validation hit@5 | validation MRR@10 |\n|---:|---:|---:|---:|");
for (const weight of WEIGHTS) {
  for (const floor of FLOORS) {
    const m = score(validation, weight, floor);
    console.log(`| ${weight} | ${floor} | ${fmt(m.hit5)} | ${fmt(m.mrr10)} |`);
    if (m.hit5 + m.mrr10 > best.sum) best = { weight, floor, sum: m.hit5 + m.mrr10 };
  }
}
const tested = await record(train, test);
console.log(`\ntest window (${tested.length} tweets), memory of the ${train.length} tweets before it; w and floor from validation:\n`);
console.log("| system | hit@1 | hit@5 | recall@5 | MRR@10 |\n|---|---:|---:|---:|---:|");
const rows: [string, number, number][] = [
  ["model alone", 1, best.floor],
  ["memory alone (knn votes; unvoted candidates in model order)", 0, best.floor],
  [`model + memory (w ${best.weight}, floor ${best.floor})`, best.weight, best.floor],
];
for (const [name, weight, floor] of rows) {
  const m = score(tested, weight, floor);
  console.log(`| ${name} | ${fmt(m.hit1)} | ${fmt(m.hit5)} | ${fmt(m.recall5)} | ${fmt(m.mrr10)} |`);
}
await recommender.close();
