import type { Example } from "../../data/examples.js";
import type { Query, Ranker } from "../ranker.js";
import { BaselineCorpus, type VocabularySize } from "./corpus.js";
import { GrowingTopList } from "./top-list.js";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Beyond 2^LOG2_RESCALE the growing weights are scaled back down (same order, no overflow). */
const LOG2_RESCALE = 512;

export interface RecentPopOptions {
  /** Static mode: count the hashtags of the last `windowDays` of the training data. */
  windowDays?: number;
  /** Online mode: time-decayed counts with this half-life, in hours. */
  halfLifeHours?: number;
}

/**
 * `recent-pop`: the hashtags most used lately. Static, it counts the last 3 days of the
 * training data. Online, each use weighs 2^(−age / half-life), so the ranking follows the
 * stream. Decayed counts are kept as growing weights 2^((t − t0) / half-life): all keys decay
 * alike, so the order of the growing weights is the order of the decayed counts.
 */
export class RecentPopBaseline implements Ranker {
  readonly name = "recent-pop";
  private readonly corpus: BaselineCorpus;
  private readonly weights = new Map<string, number>();
  private readonly recent: GrowingTopList;
  private readonly halfLifeMs: number | undefined;
  private origin: number | undefined;

  constructor(train: readonly Example[], vocabularySize: VocabularySize, options: RecentPopOptions = {}) {
    this.corpus = new BaselineCorpus(vocabularySize);
    this.recent = new GrowingTopList(512, (key) => this.weights.get(key) ?? 0);
    this.halfLifeMs = options.halfLifeHours === undefined ? undefined : options.halfLifeHours * HOUR_MS;
    if (this.halfLifeMs === undefined) {
      const documents = train.filter((example) => this.corpus.add(example));
      const end = documents.reduce((latest, d) => Math.max(latest, d.time ?? -Infinity), -Infinity);
      const windowStart = end - (options.windowDays ?? 3) * DAY_MS;
      for (const document of documents) if ((document.time ?? -Infinity) > windowStart) this.count(document, 1);
    } else {
      this.ingest(train);
    }
  }

  isCandidate(key: string): boolean {
    return this.corpus.isCandidate(key);
  }

  /** Online mode only: a static `recent-pop` is fixed once fitted. */
  ingest(examples: readonly Example[]): void {
    if (this.halfLifeMs === undefined) return;
    for (const example of examples) {
      if (!this.corpus.add(example)) continue;
      const time = example.time ?? 0;
      this.origin ??= time;
      let exponent = (time - this.origin) / this.halfLifeMs;
      if (exponent > LOG2_RESCALE) {
        const factor = 2 ** -exponent;
        for (const [key, weight] of this.weights) this.weights.set(key, weight * factor);
        this.origin = time;
        exponent = 0;
      }
      this.count(example, 2 ** exponent);
    }
  }

  private count(example: Example, weight: number): void {
    for (const key of example.keys) {
      this.weights.set(key, (this.weights.get(key) ?? 0) + weight);
      this.recent.bump(key);
    }
  }

  rank(queries: readonly Query[], k: number): string[][] {
    const ranked: string[] = [];
    for (const key of this.recent.list()) {
      if (ranked.length >= k) break;
      if (this.corpus.isCandidate(key)) ranked.push(key);
    }
    const filled = this.corpus.fillWithPopular(ranked, k);
    return queries.map(() => filled);
  }
}
