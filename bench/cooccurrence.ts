/**
 * Hashtags already in the draft: someone who has typed `#Leafs` wants the hashtags that go with
 * it. Measured online as `bench/complete.ts` does: the store ingests the tweets before the window,
 * then each window tweet after it is asked for. Every Nth window tweet with words and two or more
 * hashtags is asked for with its first hashtag typed (the draft is its cleaned text, then
 * `#First `, caret after the space); its other hashtags are the truth.
 *
 *   npm run build && node dist/bench/cooccurrence.js [--model DIR] [--window validation|test] [--every N] [--half-life H]
 *
 * Systems:
 * - the product: `Suggester.suggest` on that draft (its default weights, learning online);
 * - the product's blend with the `cooccurrence` weight set to w, the other weights the product's
 *   at that moment, for each of five shapes of the feature (ln(1 + share / c), c = 0.001 (the
 *   product's), 0.01 and 0.1; √share; the share): from each draft's candidates and their signals, recorded once
 *   (`Suggester.candidateSignals` with the typed hashtag); w = 0 is the product without the signal;
 * - co-occurrence alone: the hashtags by their share of the recent tweets with the typed one;
 * - the model alone (`Recommender.recommend`, the library without a store) on the same draft, which
 *   it reads with the typed hashtag, and on the draft without it (the typed hashtag then dropped
 *   from its list), as it read every draft before 2026-11-30.
 */
import { parseArgs } from "node:util";
import { MetricsAccumulator } from "../src/eval/metrics.js";
import { ProductRanker } from "../src/eval/product-ranker.js";
import { feature, logit, weightsAtCoverage } from "../src/recommend/blend.js";
import { Recommender } from "../src/recommend/recommender.js";
import { Suggester } from "../src/recommend/suggester.js";
import { DEFAULT_COOCCURRENCE_HALF_LIFE_HOURS } from "../src/retrieval/cooccurrence-index.js";
import { SqliteTrendingStore } from "../src/trending/sqlite-store.js";
import { DEFAULT_TREND_HALF_LIFE_HOURS } from "../src/trending/store.js";
import { fmt, loadOnlineWindow, windowOption } from "./common.js";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "models/default" },
    window: { type: "string", default: "validation" },
    every: { type: "string", default: "1" },
    "half-life": { type: "string", default: String(DEFAULT_COOCCURRENCE_HALF_LIFE_HOURS) },
  },
});
const windowChosen = windowOption(values.window);
const every = Number(values.every);
const halfLife = Number(values["half-life"]);
if (!Number.isInteger(every) || every < 1 || !(halfLife > 0)) {
  console.error(`--every must be a positive integer and --half-life a positive number, got '${values.every}' and '${values["half-life"]}'`);
  process.exit(2);
}
const K = 10;
const WEIGHTS = [0, 0.5, 1, 1.5, 2, 3, 4, 8, 16];
const SHAPES: Record<string, (share: number) => number> = {
  "ln(1 + share / 0.001)": feature.cooccurrence,
  "ln(1 + share / 0.01)": (share) => Math.log1p(share / 0.01),
  "ln(1 + share / 0.1)": (share) => Math.log1p(share / 0.1),
  "√share": Math.sqrt,
  share: (share) => share,
};

const { ingested, scored: window, name: windowName } = await loadOnlineWindow(windowChosen);
const recommender = await Recommender.load(values.model);
const store = SqliteTrendingStore.open(":memory:", { halfLifeHours: DEFAULT_TREND_HALF_LIFE_HOURS });
const suggester = new Suggester(recommender, store, { batching: false, trendMaxAgeMs: Infinity, clock: "data", cooccurrenceHalfLifeHours: halfLife });
console.error(`ingest ${ingested.length} tweets before ${windowName}; model ${values.model}; co-occurrence half-life ${halfLife} h`);
const product = await ProductRanker.create(suggester, [...ingested].sort((a, b) => a.time! - b.time!));

const tally = () => new MetricsAccumulator();
const productTally = tally();
const aloneTally = tally();
const modelTally = tally();
const modelWithoutTally = tally();
const blendTallies = new Map(Object.keys(SHAPES).map((shape) => [shape, WEIGHTS.map(tally)]));
/** Keys by logit, best first, ties by key. */
const ranked = (keys: string[], logits: number[]) =>
  keys
    .map((key, i) => ({ key, logit: logits[i]! }))
    .sort((a, b) => b.logit - a.logit || (a.key < b.key ? -1 : 1))
    .slice(0, K)
    .map((c) => c.key);
const add = (metrics: MetricsAccumulator, answer: string[], truth: Set<string>) => metrics.add(answer, truth, answer.some((key) => truth.has(key)));

const started = performance.now();
let asked = 0;
for (const [i, example] of [...window].sort((a, b) => a.time! - b.time!).entries()) {
  if (i % every === 0 && example.query.length > 0 && example.keys.length >= 2) {
    asked++;
    const typed = example.mentions[0]!;
    const truth = new Set(example.keys.filter((key) => key !== typed.key));
    const draft = `${example.query} #${typed.display} `;
    add(productTally, (await suggester.suggest({ text: draft, k: K })).suggestions.map((s) => s.key), truth);
    add(modelTally, (await recommender.recommend(draft, { k: K })).map((s) => s.key), truth);
    const without = (await recommender.recommend(example.query, { k: K + 1 })).map((s) => s.key);
    add(modelWithoutTally, without.filter((key) => key !== typed.key).slice(0, K), truth);

    const { candidates, modelCoverage } = await suggester.candidateSignals(example.query, example.time!, [typed.display]);
    const keys = candidates.map((c) => c.key);
    add(aloneTally, ranked(keys, candidates.map((c) => c.cooccurrence)), truth);
    // The blend's logit without the co-occurrence signal, the model's weight scaled by its coverage.
    const weights = weightsAtCoverage((await suggester.learnedBlend()).weights, modelCoverage);
    const base = candidates.map((c) => logit({ ...c, cooccurrence: 0 }, weights));
    for (const [shape, toFeature] of Object.entries(SHAPES)) {
      WEIGHTS.forEach((w, n) => {
        add(blendTallies.get(shape)![n]!, ranked(keys, candidates.map((c, j) => base[j]! + w * toFeature(c.cooccurrence))), truth);
      });
    }
  }
  await product.ingest([example]);
  if (i % 5000 === 4999) console.error(`${i + 1} tweets, ${asked} asked, ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

console.log(`${windowName}: ${asked} tweets with words and 2+ hashtags, the first typed in the draft; model ${values.model}; co-occurrence half-life ${halfLife} h\n`);
console.log("| system | hit@1 | hit@5 | MRR@10 |");
console.log("|---|---:|---:|---:|");
const row = (name: string, metrics: MetricsAccumulator) => {
  const { hit1, hit5, mrr10 } = metrics.result();
  console.log(`| ${name} | ${fmt(hit1)} | ${fmt(hit5)} | ${fmt(mrr10)} |`);
};
row("the product", productTally);
row("co-occurrence alone", aloneTally);
row("the model alone, reading the typed hashtag", modelTally);
row("the model alone, without it", modelWithoutTally);
for (const [shape, tallies] of blendTallies) WEIGHTS.forEach((w, n) => row(`blend, cooccurrence ${w} × ${shape}`, tallies[n]!));
await suggester.close();
