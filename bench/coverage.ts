/**
 * The product on a stream whose hashtags the model does not know (another source, a model months
 * old), simulated on the validation days (the store ingests the tweets before 2023-05-08, then each
 * validation tweet to 2023-05-11 after its prediction; never the test window). A share of the
 * hashtag keys, chosen by a hash of the key, is renamed in the ingested and the validation tweets
 * alike (`leafs` → `leafszq`); the model, trained on the real names, is unchanged. The stream's own
 * signals (trend, look-alike tweets, burst) stay the same, while the model has never seen the new
 * names and still predicts the old ones with the same confidence. Each share is scored with the
 * model's weight scaled by its coverage (`fullWeightCoverage`, the default) and with it kept
 * whole; the product without the model is scored once, at the first share.
 *
 *   npm run build && node dist/bench/coverage.js [--model models/default] [--shares 0,0.2,0.5,0.75,1] [--full 0.5] [--window validation|test]
 *
 * `--window test` scores the test window instead (the store ingests everything before 2023-05-11):
 * a check with a held-out model, never a place to choose the threshold.
 *
 * About 70 s a system and share on 2 cores (50,159 validation tweets each).
 */
import { parseArgs } from "node:util";
import type { Example } from "../src/data/examples.js";
import { evaluate } from "../src/eval/harness.js";
import type { Metrics } from "../src/eval/metrics.js";
import { ProductRanker } from "../src/eval/product-ranker.js";
import type { Query, Ranker } from "../src/eval/ranker.js";
import { DEFAULT_BLEND, FULL_WEIGHT_COVERAGE } from "../src/recommend/blend.js";
import { Recommender } from "../src/recommend/recommender.js";
import { Suggester, type SuggesterOptions } from "../src/recommend/suggester.js";
import { SqliteTrendingStore } from "../src/trending/sqlite-store.js";
import { DEFAULT_TREND_HALF_LIFE_HOURS } from "../src/trending/store.js";
import { fmt, loadOnlineWindow, windowOption } from "./common.js";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "models/default" },
    shares: { type: "string", default: "0,0.2,0.5,0.75,1" },
    full: { type: "string", default: String(FULL_WEIGHT_COVERAGE) },
    window: { type: "string", default: "validation" },
  },
});
const windowChosen = windowOption(values.window);
const shares = values.shares.split(",").map(Number);
const full = Number(values.full);
/** Every this many scored tweets, the model's coverage is read once (it is the same for a whole snapshot). */
const COVERAGE_SAMPLE = 25;

/** A stable number in [0, 1) per key (FNV-1a), so a key is renamed in every tweet or in none. */
function unitHash(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return hash / 2 ** 32;
}

/** The examples with the keys whose hash is below `share` renamed (a suffix no real hashtag of the corpus ends with). */
function renamed(examples: readonly Example[], share: number): Example[] {
  const rename = (key: string) => (unitHash(key) < share ? `${key}zq` : key);
  return examples.map((e) => ({
    ...e,
    keys: e.keys.map(rename),
    mentions: e.mentions.map((m) => ({ ...m, key: rename(m.key), display: rename(m.key) === m.key ? m.display : `${m.display}zq` })),
  }));
}

/** The product ranker, reading the model's coverage of the trends every COVERAGE_SAMPLE queries. */
class CoverageProbe implements Ranker {
  readonly name = "product";
  readonly coverages: number[] = [];
  private queries = 0;

  constructor(
    private readonly inner: ProductRanker,
    private readonly suggester: Suggester,
  ) {}

  async rank(queries: readonly Query[], k: number): Promise<string[][]> {
    const ranked = await this.inner.rank(queries, k);
    for (const q of queries) {
      if (this.queries++ % COVERAGE_SAMPLE === 0) this.coverages.push((await this.suggester.candidateSignals(q.text, q.time)).modelCoverage);
    }
    return ranked;
  }

  isCandidate(key: string): boolean {
    return this.inner.isCandidate(key);
  }

  ingest(examples: readonly Example[]): Promise<void> {
    return this.inner.ingest(examples);
  }
}

const { ingested, scored, name: window } = await loadOnlineWindow(windowChosen);
const recommender = await Recommender.load(values.model);
console.error(`ingest ${ingested.length} tweets before ${window}; score online on ${scored.length}; model ${values.model}`);

async function score(share: number, options: SuggesterOptions): Promise<{ metrics: Metrics; coverage: number }> {
  const store = SqliteTrendingStore.open(":memory:", { halfLifeHours: DEFAULT_TREND_HALF_LIFE_HOURS });
  const suggester = new Suggester(recommender, store, { batching: false, trendMaxAgeMs: Infinity, ...options });
  const probe = new CoverageProbe(await ProductRanker.create(suggester, renamed(ingested, share)), suggester);
  const metrics = await evaluate(probe, renamed(scored, share), { online: true });
  await store.close();
  const sorted = [...probe.coverages].sort((a, b) => a - b);
  return { metrics, coverage: sorted[Math.floor(sorted.length / 2)] ?? 1 };
}

const systems: { name: string; options: SuggesterOptions; once?: boolean }[] = [
  { name: `model weight scaled by coverage (full at ${full})`, options: { fullWeightCoverage: full } },
  { name: "model weight kept whole", options: { fullWeightCoverage: 0 } },
  // Renaming changes nothing for it but the order of exact ties.
  { name: "without the model", options: { weights: { ...DEFAULT_BLEND, model: 0 } }, once: true },
];
const rows: string[] = [];
for (const share of shares) {
  for (const system of systems) {
    if (system.once && share !== shares[0]) continue;
    const started = performance.now();
    const { metrics, coverage } = await score(share, system.options);
    const row = `| ${share} | ${fmt(coverage)} | ${system.name} | ${fmt(metrics.hit5)} | ${fmt(metrics.mrr10)} | ${fmt(metrics.hit1)} |`;
    console.error(`${row} ${((performance.now() - started) / 1000).toFixed(0)} s`);
    rows.push(row);
  }
}
console.log(`${window}: ${scored.length} tweets, online; model ${values.model}\n`);
console.log("| keys renamed | model's coverage (median) | product | hit@5 | MRR@10 | hit@1 |");
console.log("|---:|---:|---|---:|---:|---:|");
for (const row of rows) console.log(row);
await recommender.close();
