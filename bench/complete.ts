/**
 * Prefix completion (`… #ma` at the caret), measured online: the store ingests the tweets before
 * the window, then each window tweet with hashtags and words is asked for, hashtag by hashtag,
 * from the first L letters of the hashtag's key (L = 1, 2, 3; hashtags no longer than L are
 * left out), with the tweet's cleaned text (all of its hashtags removed, as `eval` does) as the
 * draft, before the tweet is ingested. A completion hits when the hashtag is among its first k.
 *
 *   npm run build && node dist/bench/complete.js [--model DIR] [--window test|validation] [--every N] [--store LOCATION]
 *
 * Systems:
 * - the product (`Suggester.complete` with the draft): the blend, the model's fit included;
 * - the product without the draft (`Suggester.complete` with no text): the stream's signals alone;
 * - trending: the keys with the prefix by their time-decayed uses (the store's `withPrefix`,
 *   half-life 7.5 minutes);
 * - Mastodon-like: the keys with the prefix by the tweets that used them over the last 7 days,
 *   the most recently used first among equals: a stand-in for Mastodon's 7-day use and recency
 *   (its index counts distinct accounts, which a tweet corpus does not have).
 *
 * `--every N` scores every Nth tweet of the window (all are ingested). `--store` is where the
 * trending store is kept (default `:memory:`, SQLite; a `redis://` URL must name an empty Redis).
 */
import { parseArgs } from "node:util";
import type { Example } from "../src/data/examples.js";
import { MetricsAccumulator } from "../src/eval/metrics.js";
import { ProductRanker } from "../src/eval/product-ranker.js";
import { Recommender } from "../src/recommend/recommender.js";
import { Suggester } from "../src/recommend/suggester.js";
import { HOUR_MS } from "../src/trending/decay.js";
import { openStore } from "../src/trending/open-store.js";
import { DEFAULT_TREND_HALF_LIFE_HOURS } from "../src/trending/store.js";
import { fmt, loadOnlineWindow, windowOption } from "./common.js";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "models/default" },
    window: { type: "string", default: "test" },
    every: { type: "string", default: "1" },
    store: { type: "string", default: ":memory:" },
  },
});
const windowChosen = windowOption(values.window);
const every = Number(values.every);
if (!Number.isInteger(every) || every < 1) {
  console.error(`--every must be a positive integer, got '${values.every}'`);
  process.exit(2);
}
const PREFIX_LENGTHS = [1, 2, 3];
const K = 10;
const WEEK_MS = 7 * 24 * HOUR_MS;

/** Uses of each key over the last 7 days and its last use, kept up as tweets come in time order. */
class WeeklyUses {
  private readonly counts = new Map<string, number>();
  private readonly lastSeen = new Map<string, number>();
  private readonly uses: { time: number; key: string }[] = [];
  private oldest = 0;
  /** Keys by their first 1, 2 and 3 letters. */
  private readonly byPrefix = new Map<string, Set<string>>();

  add(example: Example): void {
    for (const key of example.keys) {
      this.uses.push({ time: example.time!, key });
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      this.lastSeen.set(key, Math.max(this.lastSeen.get(key) ?? -Infinity, example.time!));
      for (const length of PREFIX_LENGTHS) {
        const prefix = [...key].slice(0, length).join("");
        let keys = this.byPrefix.get(prefix);
        if (keys === undefined) this.byPrefix.set(prefix, (keys = new Set()));
        keys.add(key);
      }
    }
  }

  /** The best k keys with `prefix` at `now`. */
  complete(prefix: string, now: number, k: number): string[] {
    while (this.oldest < this.uses.length && this.uses[this.oldest]!.time < now - WEEK_MS) {
      const { key } = this.uses[this.oldest++]!;
      this.counts.set(key, this.counts.get(key)! - 1);
    }
    const keys = [...(this.byPrefix.get(prefix) ?? [])].filter((key) => this.counts.get(key)! > 0);
    return keys.sort((a, b) => this.counts.get(b)! - this.counts.get(a)! || this.lastSeen.get(b)! - this.lastSeen.get(a)!).slice(0, k);
  }
}

const { ingested, scored: window, name: windowName } = await loadOnlineWindow(windowChosen);
const recommender = await Recommender.load(values.model);
const store = await openStore(values.store, { halfLifeHours: DEFAULT_TREND_HALF_LIFE_HOURS });
if ((await store.latestTime()) !== undefined) {
  console.error(`--store ${values.store} holds tweets already; the bench needs an empty store`);
  process.exit(2);
}
const suggester = new Suggester(recommender, store, { batching: false, trendMaxAgeMs: Infinity, clock: "data" });
console.error(`ingest ${ingested.length} tweets before ${windowName}; complete on every ${every === 1 ? "" : `${every}th `}tweet of ${window.length}; model ${values.model}; store ${values.store}`);
const ordered = [...ingested].sort((a, b) => a.time! - b.time!);
const product = await ProductRanker.create(suggester, ordered);
const weekly = new WeeklyUses();
for (const example of ordered) weekly.add(example);

const systems = ["product", "product without the draft", "trending (decayed uses)", "Mastodon-like (7-day uses)"] as const;
const tallies = new Map(systems.map((system) => [system, PREFIX_LENGTHS.map(() => new MetricsAccumulator())]));
const started = performance.now();
const scored = [...window].sort((a, b) => a.time! - b.time!);
let asked = 0;
for (const [i, example] of scored.entries()) {
  if (i % every === 0 && example.query.length > 0) {
    asked++;
    for (const key of example.keys) {
      const letters = [...key];
      for (const [l, length] of PREFIX_LENGTHS.entries()) {
        if (letters.length <= length) continue;
        const prefix = letters.slice(0, length).join("");
        const answers = [
          (await suggester.complete(prefix, { text: example.query, k: K })).map((s) => s.key),
          (await suggester.complete(prefix, { k: K })).map((s) => s.key),
          (await store.withPrefix(prefix, K)).map((e) => e.key),
          weekly.complete(prefix, example.time!, K),
        ];
        systems.forEach((system, s) => tallies.get(system)![l]!.add(answers[s]!, new Set([key]), answers[s]!.includes(key)));
      }
    }
  }
  await product.ingest([example]);
  weekly.add(example);
  if (i % 5000 === 4999) console.error(`${i + 1} tweets, ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

console.log(`${windowName}: completions of the hashtags of ${asked} tweets with words, online; model ${values.model}; store ${store.kind}\n`);
console.log("| letters typed | completions | system | hit@1 | hit@5 | MRR@10 |");
console.log("|---:|---:|---|---:|---:|---:|");
for (const [l, length] of PREFIX_LENGTHS.entries()) {
  for (const system of systems) {
    const { n, hit1, hit5, mrr10 } = tallies.get(system)![l]!.result();
    console.log(`| ${length} | ${n} | ${system} | ${fmt(hit1)} | ${fmt(hit5)} | ${fmt(mrr10)} |`);
  }
}
await suggester.close();
