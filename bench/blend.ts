/**
 * Chooses the product's blend — the trending half-life, the neighbours' half-life and the weights
 * of the model, trend and neighbour signals — online, on the validation days inside the training
 * period: the store ingests the tweets before 2023-05-08, then each validation tweet (to
 * 2023-05-11) right after its prediction, exactly as `eval --online --model` does on the test
 * window, which this never reads. Each validation tweet's candidates are recorded once per pair
 * of half-lives with all three signals (`Suggester.candidateSignals`), then every weighting on a
 * 0.1 grid is scored on them.
 *
 *   npm run build && node dist/bench/blend.js [--model models/default]
 */
import { parseArgs } from "node:util";
import type { Example } from "../src/data/examples.js";
import { MetricsAccumulator } from "../src/eval/metrics.js";
import { ProductRanker } from "../src/eval/product-ranker.js";
import { Recommender } from "../src/recommend/recommender.js";
import { trendFit } from "../src/recommend/blend.js";
import { Suggester } from "../src/recommend/suggester.js";
import { SqliteTrendingStore } from "../src/trending/sqlite-store.js";
import { fmt, loadTimeSplit, validationSplit } from "./common.js";

const { values } = parseArgs({ options: { model: { type: "string", default: "models/default" } } });
/**
 * (trend, neighbour) half-lives in hours. Earlier runs (README "Choosing the blend") went over
 * trend 0.125–1 h and neighbours 0.5–4 h; this one takes their best and tries tempering the trend
 * by its fit with the draft.
 */
const HALF_LIVES: [number, number][] = [[0.125, 2]];
/** Powers of the trend's fit with the draft (`TREND_FIT_POWER`; 0: the trend is not tempered). */
const FIT_POWERS = [0, 0.25, 0.5, 1];
/** Candidates kept per tweet: the best 20 by each signal (a blend's top 10 comes from them in practice). */
const KEEP_PER_SIGNAL = 20;
const STEP = 0.1;
const MIN_MODEL_WEIGHT = 0.1;

type Signals = Awaited<ReturnType<Suggester["candidateSignals"]>>;

const { train } = await loadTimeSplit();
const [fit, validation] = validationSplit(train) as [Example[], Example[]];
const ordered = [...validation].sort((a, b) => a.time! - b.time!);
console.error(`ingest ${fit.length} tweets before the validation days; validate online on ${ordered.length}`);
const recommender = await Recommender.load(values.model!);

/** hit@5 and MRR@10 of one weighting on the recorded candidates. */
function score(recorded: { truth: Set<string>; candidates: Signals }[], w: { model: number; trend: number; neighbours: number }, power: number) {
  const metrics = new MetricsAccumulator();
  for (const { truth, candidates } of recorded) {
    const ranked = candidates
      .map((c) => ({ key: c.key, score: w.model * c.model + w.trend * c.trend * trendFit(c.model, c.bestModel, power) + w.neighbours * c.neighbours }))
      .sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1))
      .slice(0, 10)
      .map((c) => c.key);
    metrics.add(ranked, truth, true);
  }
  return metrics.result();
}

function strongest(candidates: Signals): Signals {
  const kept = new Set<Signals[number]>();
  for (const signal of ["model", "trend", "neighbours"] as const) {
    for (const c of [...candidates].sort((a, b) => b[signal] - a[signal]).slice(0, KEEP_PER_SIGNAL)) kept.add(c);
  }
  return [...kept];
}

const rows: string[] = [];
let best = { trendHours: 0, neighbourHours: 0, power: 0, weights: { model: 0, trend: 0, neighbours: 0 }, hit5: -1, mrr10: 0 };
for (const [trendHours, neighbourHours] of HALF_LIVES) {
  {
    const started = performance.now();
    const store = SqliteTrendingStore.open(":memory:", { halfLifeHours: trendHours });
    const suggester = new Suggester(recommender, store, { batching: false, trendMaxAgeMs: Infinity, neighbourHalfLifeHours: neighbourHours });
    const ranker = await ProductRanker.create(suggester, fit);
    const recorded: { truth: Set<string>; candidates: Signals }[] = [];
    for (const example of ordered) {
      if (example.keys.length > 0 && example.query.length > 0) {
        recorded.push({ truth: new Set(example.keys), candidates: strongest(await suggester.candidateSignals(example.query, example.time!)) });
      }
      await ranker.ingest([example]);
    }
    await store.close();
    for (const power of FIT_POWERS) {
      let pairBest = { weights: { model: 0, trend: 0, neighbours: 0 }, hit5: -1, mrr10: 0 };
      const grid = Math.round(1 / STEP);
      // The model keeps a weight of at least MIN_MODEL_WEIGHT: with an empty or stale store it is
      // the only signal, and a weight of 0 would leave the ranking to ties.
      for (let m = Math.round(MIN_MODEL_WEIGHT * grid); m <= grid; m++) {
        for (let n = 0; n <= grid - m; n++) {
          const weights = { model: m / grid, neighbours: n / grid, trend: (grid - m - n) / grid };
          const { hit5, mrr10 } = score(recorded, weights, power);
          if (hit5 > pairBest.hit5 || (hit5 === pairBest.hit5 && mrr10 > pairBest.mrr10)) pairBest = { weights, hit5, mrr10 };
        }
      }
      const single = (w: { model: number; trend: number; neighbours: number }) => fmt(score(recorded, w, power).hit5);
      const { weights: w } = pairBest;
      const row = `| ${trendHours} | ${neighbourHours} | ${power} | ${single({ model: 1, trend: 0, neighbours: 0 })} | ${single({ model: 0, trend: 1, neighbours: 0 })} | ${single({ model: 0, trend: 0, neighbours: 1 })} | ${w.model} / ${w.trend} / ${w.neighbours} | ${fmt(pairBest.hit5)} | ${fmt(pairBest.mrr10)} | ${((performance.now() - started) / 1000).toFixed(0)} |`;
      console.error(row);
      rows.push(row);
      if (pairBest.hit5 > best.hit5) best = { trendHours, neighbourHours, power, ...pairBest };
    }
  }
}
await recommender.close();
console.log(`validation: ${ordered.length} tweets from 2023-05-08 to 2023-05-11, online\n`);
console.log("| trend half-life (h) | neighbour half-life (h) | trend fit power | model alone hit@5 | trend alone | neighbours alone | best weights (model / trend / neighbours) | hit@5 | MRR@10 | seconds |");
console.log("|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|");
for (const row of rows) console.log(row);
console.log(
  `\nbest: trend half-life ${best.trendHours} h, neighbour half-life ${best.neighbourHours} h, trend fit power ${best.power}, ` +
    `weights model ${best.weights.model}, trend ${best.weights.trend}, neighbours ${best.weights.neighbours} (hit@5 ${fmt(best.hit5)}, MRR@10 ${fmt(best.mrr10)})`,
);
