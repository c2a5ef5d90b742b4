import type { Example } from "../data/examples.js";
import type { IngestTweet } from "../trending/store.js";
import type { Suggester } from "../recommend/suggester.js";
import type { Query, Ranker } from "./ranker.js";

/** An example's hashtag uses, as the trending store takes them (no id: the harness decides what is new). */
export function toIngestTweet(example: Example): IngestTweet {
  return {
    time: example.time!,
    hashtags: example.mentions.map(({ key, display }) => ({ key, display })),
    ...(example.query.length > 0 ? { query: example.query } : {}),
  };
}

/**
 * The whole product (model blended with the trending store) as a system the harness can score:
 * `eval --online --model DIR --train FILE`. The store ingests the training tweets first, with
 * their times; then each test tweet right after it has been predicted.
 */
export class ProductRanker implements Ranker {
  readonly name = "product";
  private readonly seen = new Set<string>();

  private constructor(private readonly suggester: Suggester) {}

  static async create(suggester: Suggester, train: readonly Example[], onProgress?: (done: number, total: number) => void): Promise<ProductRanker> {
    const ranker = new ProductRanker(suggester);
    const ordered = [...train].sort((a, b) => a.time! - b.time!);
    const batchSize = 5000;
    for (let start = 0; start < ordered.length; start += batchSize) {
      await ranker.ingest(ordered.slice(start, start + batchSize));
      onProgress?.(Math.min(start + batchSize, ordered.length), ordered.length);
    }
    return ranker;
  }

  async rank(queries: readonly Query[], k: number): Promise<string[][]> {
    return Promise.all(queries.map((q) => this.suggester.rankCleanQuery(q.text, k, q.time)));
  }

  isCandidate(key: string): boolean {
    return this.seen.has(key) || this.suggester.recommender.hasHashtag(key);
  }

  async ingest(examples: readonly Example[]): Promise<void> {
    for (const example of examples) for (const key of example.keys) this.seen.add(key);
    await this.suggester.ingestUses(examples.map(toIngestTweet));
  }
}
