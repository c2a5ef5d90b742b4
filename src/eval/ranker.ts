import type { Example } from "../data/examples.js";

/** What the harness asks of a system: a cleaned query and the time it is asked at. */
export interface Query {
  text: string;
  time: number;
}

/**
 * Anything the evaluation harness can score: baselines and the model-backed recommender alike.
 * Keys are hashtag keys (see `hashtagKey`).
 */
export interface Ranker {
  readonly name: string;
  /** Up to `k` keys per query, best first. */
  rank(queries: readonly Query[], k: number): string[][] | Promise<string[][]>;
  /** Whether the system could suggest `key` now: the coverage ceiling. */
  isCandidate(key: string): boolean;
  /** Online mode: learn from tweets as they arrive (each with a time). */
  ingest?(examples: readonly Example[]): void | Promise<void>;
}
