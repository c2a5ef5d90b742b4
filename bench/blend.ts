/**
 * Fits the product's blend — the weights of the log-linear blend of the model, trend, neighbour,
 * burst, uses, centroid and classifier signals (`DEFAULT_BLEND`) — online, on the validation days inside the training
 * period: the store ingests the tweets before 2023-05-08, then each validation tweet (to
 * 2023-05-11) right after its prediction, exactly as `eval --online --model` does on the test
 * window, which this never reads. Each validation tweet's candidates are recorded once with their
 * signals (`Suggester.candidateSignals`); the weights are then fitted by a listwise softmax (the
 * log-likelihood of the tweet's hashtags among its candidates) on the tweets the model did not
 * train on (after its `split_time`; a model scores the tweets it trained on too well, and weights
 * fitted there lean on it too much), checked across halves (fit on one, score the other), and each
 * signal is dropped in turn to show what it brings; the default weights are scored beside them.
 * Where the model has read some validation days, a fit on all of them is printed too, for reference.
 * Last, the blend as the product runs it, learning online from the default weights
 * (`OnlineBlend`): each tweet is scored, then learned from, at a few learning rates.
 *
 *   npm run build && node dist/bench/blend.js --model DIR
 *
 * DIR must have trained on tweets before the last validation day, best before the first
 * (2023-05-08; bench/README.md "Choosing the blend" has the commands for such a twin of models/default),
 * not models/default, which has read them all.
 */
import { parseArgs } from "node:util";
import type { Example } from "../src/data/examples.js";
import { MetricsAccumulator } from "../src/eval/metrics.js";
import { ProductRanker } from "../src/eval/product-ranker.js";
import { DEFAULT_BLEND, features, modelWeightFactor, SIGNALS, type BlendWeights, type Signal } from "../src/recommend/blend.js";
import { DEFAULT_BLEND_LEARNING_RATE, OnlineBlend } from "../src/recommend/online-blend.js";
import { Recommender } from "../src/recommend/recommender.js";
import { Suggester } from "../src/recommend/suggester.js";
import { SqliteTrendingStore } from "../src/trending/sqlite-store.js";
import { fmt, loadTimeSplit, validationSplit } from "./common.js";

const { values } = parseArgs({ options: { model: { type: "string" } } });
if (!values.model) {
  console.error("usage: node dist/bench/blend.js --model DIR (a model trained before 2023-05-08, e.g. a held-out twin of models/default)");
  process.exit(2);
}
/** Trend and neighbour half-lives (hours): the best of the grids in bench/README.md "Choosing the blend". */
const TREND_HALF_LIFE_HOURS = 0.125;
const NEIGHBOUR_HALF_LIFE_HOURS = 2;
/** Candidates kept per tweet: the best 30 by each signal (a blend's top 10 comes from them in practice). */
const KEEP_PER_SIGNAL = 30;
const STEPS = 300;
/** The learning rates of the online blend scored last (0: the default weights, fixed). */
const ONLINE_LEARNING_RATES = [0, 0.001, DEFAULT_BLEND_LEARNING_RATE, 0.003, 0.01];
const LEARNING_RATE = 0.05;

/** Recorded candidates, as columns: the features of every candidate of every tweet, tweet by tweet. */
interface Recorded {
  /** Start of each tweet's candidates (tweets + 1 entries). */
  offsets: number[];
  /** Per signal, the feature of each candidate. */
  columns: Record<Signal, number[]>;
  /** 1 when the candidate is one of the tweet's hashtags. */
  labels: number[];
  /** Per tweet: its time. */
  times: number[];
}

const { train } = await loadTimeSplit();
const [fit, validation] = validationSplit(train) as [Example[], Example[]];
const ordered = [...validation].sort((a, b) => a.time! - b.time!);
console.error(`ingest ${fit.length} tweets before the validation days; validate online on ${ordered.length}`);
const recommender = await Recommender.load(values.model);
const modelSplitTime = recommender.model.trainedBefore ?? -Infinity;
if (recommender.model.trainedBefore === undefined) console.error(`warning: ${values.model} does not say when its training data ends (train_config.json); fitting on every validation tweet`);
const lastValidation = ordered.at(-1)!.time!;
if (modelSplitTime >= lastValidation - 12 * 3_600_000) {
  console.error(`${values.model} trained on tweets from before ${new Date(modelSplitTime).toISOString()}: too few validation tweets after that to fit on; give a model trained before 2023-05-08`);
  process.exit(2);
}
const started = performance.now();
const recorded = await record();
console.error(`recorded ${recorded.labels.length} candidates of ${recorded.times.length} tweets in ${((performance.now() - started) / 1000).toFixed(0)} s`);

const allTweets = recorded.times.map((_, i) => i);
const unseen = allTweets.filter((i) => recorded.times[i]! >= modelSplitTime);
const firstHalf = unseen.slice(0, Math.floor(unseen.length / 2));
const secondHalf = unseen.slice(firstHalf.length);
const rows: string[] = [];
for (const dropped of [undefined, ...SIGNALS]) {
  const signals = SIGNALS.filter((s) => s !== dropped);
  const a = score(fitWeights(firstHalf, signals), secondHalf);
  const b = score(fitWeights(secondHalf, signals), firstHalf);
  const fitted = fitWeights(unseen, signals);
  const both = score(fitted, unseen);
  rows.push(
    `| ${dropped === undefined ? `**all ${SIGNALS.length}**` : `without ${dropped}`} | ${fmt(a.hit5)} / ${fmt(a.mrr10)} | ${fmt(b.hit5)} / ${fmt(b.mrr10)} | ${fmt(both.hit5)} / ${fmt(both.mrr10)} | ${SIGNALS.map((s) => fitted[s].toFixed(2)).join(" / ")} |`,
  );
  console.error(rows[rows.length - 1]);
}
const defaults = { first: score(DEFAULT_BLEND, firstHalf), second: score(DEFAULT_BLEND, secondHalf), both: score(DEFAULT_BLEND, unseen) };
rows.push(
  `| the default weights (not fitted here) | ${fmt(defaults.second.hit5)} / ${fmt(defaults.second.mrr10)} | ${fmt(defaults.first.hit5)} / ${fmt(defaults.first.mrr10)} | ${fmt(defaults.both.hit5)} / ${fmt(defaults.both.mrr10)} | ${SIGNALS.map((s) => DEFAULT_BLEND[s].toFixed(2)).join(" / ")} |`,
);
const seenByModel = allTweets.length - unseen.length;
const leaky = seenByModel > 0 ? fitWeights(allTweets, SIGNALS) : undefined;
const leakyScore = leaky && score(leaky, allTweets);
await recommender.close();
console.log(`validation: ${recorded.times.length} tweets from 2023-05-08 to 2023-05-11, online; model ${values.model}, which trained on tweets to ${new Date(modelSplitTime).toISOString()}: ${unseen.length} validation tweets after that\n`);
console.log(`| signals | fit on the first half, hit@5 / MRR@10 on the second | fit on the second, scored on the first | fit and scored on both | weights (${SIGNALS.join(" / ")}) |`);
console.log("|---|---:|---:|---:|---|");
for (const row of rows) console.log(row);
if (leaky && leakyScore) {
  console.log(`\nfitted on all ${allTweets.length} validation tweets (${seenByModel} of them seen by the model): hit@5 ${fmt(leakyScore.hit5)} / MRR@10 ${fmt(leakyScore.mrr10)}, weights ${SIGNALS.map((s) => leaky[s].toFixed(2)).join(" / ")}`);
}
console.log(`\nthe blend learning online from the default weights (OnlineBlend: each of the ${unseen.length} tweets scored, then learned from):\n`);
console.log(`| learning rate | hit@5 / MRR@10, all | first half | second half | weights at the end (${SIGNALS.join(" / ")}) |`);
console.log("|---:|---:|---:|---:|---|");
for (const rate of ONLINE_LEARNING_RATES) {
  const { all, first, second, weights } = online(rate, unseen);
  console.log(`| ${rate === DEFAULT_BLEND_LEARNING_RATE ? `**${rate}**` : rate} | ${fmt(all.hit5)} / ${fmt(all.mrr10)} | ${fmt(first.hit5)} / ${fmt(first.mrr10)} | ${fmt(second.hit5)} / ${fmt(second.mrr10)} | ${SIGNALS.map((s) => weights[s].toFixed(2)).join(" / ")} |`);
}

/** Replays the validation days online, recording each evaluable tweet's strongest candidates. */
async function record(): Promise<Recorded> {
  const store = SqliteTrendingStore.open(":memory:", { halfLifeHours: TREND_HALF_LIFE_HOURS });
  // Fixed weights while recording: the signals and candidates do not depend on them, and the fits and the replay below start from the defaults.
  const suggester = new Suggester(recommender, store, { batching: false, trendMaxAgeMs: Infinity, neighbourHalfLifeHours: NEIGHBOUR_HALF_LIFE_HOURS, blendLearningRate: 0 });
  const ranker = await ProductRanker.create(suggester, fit);
  const out: Recorded = { offsets: [0], columns: Object.fromEntries(SIGNALS.map((s) => [s, []])) as unknown as Record<Signal, number[]>, labels: [], times: [] };
  for (const example of ordered) {
    if (example.keys.length > 0 && example.query.length > 0) {
      const { candidates, modelCoverage } = await suggester.candidateSignals(example.query, example.time!);
      // The model's feature carries its coverage scaling, so the fitted weight is its weight at full coverage.
      const modelScale = modelWeightFactor(modelCoverage, suggester.fullWeightCoverage);
      const kept = new Set<(typeof candidates)[number]>();
      for (const signal of SIGNALS) for (const c of [...candidates].sort((a, b) => b[signal] - a[signal]).slice(0, KEEP_PER_SIGNAL)) kept.add(c);
      for (const c of kept) {
        const f = features(c);
        f.model *= modelScale;
        for (const signal of SIGNALS) out.columns[signal].push(f[signal]);
        out.labels.push(example.keys.includes(c.key) ? 1 : 0);
      }
      out.offsets.push(out.labels.length);
      out.times.push(example.time!);
    }
    await ranker.ingest([example]);
  }
  await store.close();
  return out;
}

/** Candidate logits under `weights` for tweet `i`. */
function logits(i: number, weights: Readonly<BlendWeights>): number[] {
  const out: number[] = [];
  for (let j = recorded.offsets[i]!; j < recorded.offsets[i + 1]!; j++) {
    let sum = 0;
    for (const s of SIGNALS) sum += weights[s] * recorded.columns[s][j]!;
    out.push(sum);
  }
  return out;
}

/**
 * Weights that maximise the mean log-probability of a tweet's hashtags among its candidates
 * (softmax of the logits), by Adam on the full batch; signals left out weigh 0. Features are
 * standardised while fitting and the weights returned on their own scale.
 */
function fitWeights(tweets: number[], signals: readonly Signal[]): BlendWeights {
  const width = signals.length;
  // The tweets that have a hashtag among their candidates (the others teach nothing), as one matrix.
  const groups: number[] = [0];
  const x: number[] = [];
  const labels: number[] = [];
  for (const i of tweets) {
    const start = recorded.offsets[i]!;
    const end = recorded.offsets[i + 1]!;
    if (!recorded.labels.slice(start, end).includes(1)) continue;
    for (let j = start; j < end; j++) {
      for (const s of signals) x.push(recorded.columns[s][j]!);
      labels.push(recorded.labels[j]!);
    }
    groups.push(labels.length);
  }
  const rows = labels.length;
  const matrix = Float64Array.from(x);
  const mean = new Float64Array(width);
  const sd = new Float64Array(width);
  for (let f = 0; f < width; f++) {
    let sum = 0;
    let squares = 0;
    for (let r = 0; r < rows; r++) {
      const value = matrix[r * width + f]!;
      sum += value;
      squares += value * value;
    }
    mean[f] = sum / rows;
    sd[f] = Math.sqrt(Math.max(squares / rows - mean[f]! ** 2, 0)) || 1;
    for (let r = 0; r < rows; r++) matrix[r * width + f] = (matrix[r * width + f]! - mean[f]!) / sd[f]!;
  }
  const w = new Float64Array(width);
  const m = new Float64Array(width);
  const v = new Float64Array(width);
  const z = new Float64Array(rows);
  for (let step = 1; step <= STEPS; step++) {
    const grad = new Float64Array(width);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let f = 0; f < width; f++) sum += w[f]! * matrix[r * width + f]!;
      z[r] = sum;
    }
    for (let g = 0; g + 1 < groups.length; g++) {
      const start = groups[g]!;
      const end = groups[g + 1]!;
      let max = -Infinity;
      for (let r = start; r < end; r++) max = Math.max(max, z[r]!);
      let all = 0;
      let truth = 0;
      for (let r = start; r < end; r++) {
        const e = Math.exp(z[r]! - max);
        z[r] = e;
        all += e;
        if (labels[r]) truth += e;
      }
      // d(−log(truth/all))/dz_r = p_r − q_r: softmax over all candidates minus over the hashtags.
      for (let r = start; r < end; r++) {
        const e = z[r]!;
        const d = e / all - (labels[r] ? e / truth : 0);
        for (let f = 0; f < width; f++) grad[f]! += d * matrix[r * width + f]!;
      }
    }
    for (let f = 0; f < width; f++) {
      const g = grad[f]! / (groups.length - 1);
      m[f] = 0.9 * m[f]! + 0.1 * g;
      v[f] = 0.999 * v[f]! + 0.001 * g * g;
      w[f]! -= (LEARNING_RATE * (m[f]! / (1 - 0.9 ** step))) / (Math.sqrt(v[f]! / (1 - 0.999 ** step)) + 1e-8);
    }
  }
  const weights = Object.fromEntries(SIGNALS.map((s) => [s, 0])) as BlendWeights;
  signals.forEach((s, f) => (weights[s] = w[f]! / sd[f]!));
  return weights;
}

/**
 * The product's online blend replayed on the recorded candidates: in time order, each tweet is
 * scored with the weights so far, then learned from; hit@5 / MRR@10 over all, and over each half.
 */
function online(learningRate: number, tweets: number[]) {
  const blend = new OnlineBlend(DEFAULT_BLEND, { learningRate });
  const all = new MetricsAccumulator();
  const halves = [new MetricsAccumulator(), new MetricsAccumulator()];
  tweets.forEach((i, n) => {
    const [ranked, truth] = rankedAndTruth(i, blend.weights);
    all.add(ranked, truth, true);
    halves[n < tweets.length / 2 ? 0 : 1]!.add(ranked, truth, true);
    const start = recorded.offsets[i]!;
    const count = recorded.offsets[i + 1]! - start;
    const rows = new Float64Array(count * SIGNALS.length);
    for (let j = 0; j < count; j++) SIGNALS.forEach((s, f) => (rows[j * SIGNALS.length + f] = recorded.columns[s][start + j]!));
    blend.learn({ features: rows, isTruth: Uint8Array.from(recorded.labels.slice(start, start + count)), count });
  });
  return { all: all.result(), first: halves[0]!.result(), second: halves[1]!.result(), weights: blend.weights };
}

/** hit@5 and MRR@10 of `weights` on `tweets` (ties broken as the product does, by candidate order here). */
function score(weights: BlendWeights, tweets: number[]) {
  const metrics = new MetricsAccumulator();
  for (const i of tweets) metrics.add(...rankedAndTruth(i, weights), true);
  return metrics.result();
}

/** Tweet `i`'s best 10 candidates under `weights` and its hashtags among them, as places ("none" when it has none). */
function rankedAndTruth(i: number, weights: Readonly<BlendWeights>): [string[], Set<string>] {
  const start = recorded.offsets[i]!;
  const ranked = logits(i, weights)
    .map((value, j) => ({ value, j }))
    .sort((a, b) => b.value - a.value || a.j - b.j)
    .slice(0, 10)
    .map(({ j }) => String(j));
  const truth = new Set<string>();
  for (let j = start; j < recorded.offsets[i + 1]!; j++) if (recorded.labels[j]) truth.add(String(j - start));
  return [ranked, truth.size > 0 ? truth : new Set(["none"])];
}
