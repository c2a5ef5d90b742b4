import type { Example } from "../data/examples.js";
import { MetricsAccumulator, type Metrics } from "./metrics.js";
import type { Ranker } from "./ranker.js";

/** Systems return this many keys per tweet; metrics look at the first 1, 5 and 10. */
export const RANKED_LIST_SIZE = 10;

export interface EvaluateOptions {
  /** Predict each tweet in time order, then ingest it (systems that learn from the stream). */
  online?: boolean;
  /** Tweets per `rank` call in static mode. */
  batchSize?: number;
  /** Called with the number of test tweets handled so far. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Scores a system on test tweets with the fixed protocol of `hashtag-rec eval`.
 * A tweet is evaluable when it has ≥1 hashtag; its query is its cleaned text and its truth its
 * hashtag keys; evaluable tweets with an empty query are counted as `skipped`. Coverage is the
 * share of scored tweets with a truth key among the system's candidates when it predicted.
 * Online, tweets are taken in time order and each is ingested right after its prediction
 * (every tweet is ingested, evaluable or not).
 */
export async function evaluate(ranker: Ranker, test: readonly Example[], options: EvaluateOptions = {}): Promise<Metrics> {
  const metrics = new MetricsAccumulator();
  const progress = options.onProgress ?? (() => {});
  const score = (example: Example, ranked: readonly string[], covered: boolean) =>
    metrics.add(ranked, new Set(example.keys), covered);
  const coveredNow = (example: Example) => example.keys.some((key) => ranker.isCandidate(key));

  if (options.online) {
    const ordered = [...test].sort((a, b) => a.time! - b.time!);
    for (let i = 0; i < ordered.length; i++) {
      const example = ordered[i]!;
      if (example.keys.length > 0) {
        if (example.query.length === 0) metrics.skip();
        else {
          const covered = coveredNow(example);
          const [ranked] = await ranker.rank([{ text: example.query, time: example.time! }], RANKED_LIST_SIZE);
          score(example, ranked ?? [], covered);
        }
      }
      await ranker.ingest?.([example]);
      if (i % 100 === 0) progress(i, ordered.length);
    }
    progress(ordered.length, ordered.length);
    return metrics.result();
  }

  const evaluable = test.filter((example) => example.keys.length > 0);
  const scored = evaluable.filter((example) => example.query.length > 0);
  for (let i = 0; i < evaluable.length - scored.length; i++) metrics.skip();
  const batchSize = options.batchSize ?? 256;
  for (let start = 0; start < scored.length; start += batchSize) {
    const batch = scored.slice(start, start + batchSize);
    const ranked = await ranker.rank(
      batch.map((example) => ({ text: example.query, time: example.time! })),
      RANKED_LIST_SIZE,
    );
    batch.forEach((example, i) => score(example, ranked[i] ?? [], coveredNow(example)));
    progress(Math.min(start + batchSize, scored.length), scored.length);
  }
  return metrics.result();
}
