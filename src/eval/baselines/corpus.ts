import { dedupeKey, type Example } from "../../data/examples.js";
import { GrowingTopList } from "./top-list.js";

/** How many hashtags a baseline may suggest: the K most used with ≥2 uses, or all with ≥2 uses. */
export type VocabularySize = number | "all";

const MIN_USES = 2;
const POPULAR_LIST_SIZE = 256;

/**
 * What every baseline learns from its training tweets: hashtag use counts, the candidate
 * vocabulary, the popularity order, and the deduplicated documents for text similarity.
 * Training documents are the tweets with ≥1 hashtag and a non-empty cleaned query,
 * deduplicated by lower-cased query; counts are taken over those documents.
 */
export class BaselineCorpus {
  readonly counts = new Map<string, number>();
  private readonly seenQueries = new Set<string>();
  private readonly vocabulary: GrowingTopList | undefined;
  private readonly popular: GrowingTopList;

  constructor(readonly vocabularySize: VocabularySize) {
    const countOf = (key: string) => this.counts.get(key) ?? 0;
    this.vocabulary = vocabularySize === "all" ? undefined : new GrowingTopList(vocabularySize, countOf);
    this.popular = new GrowingTopList(POPULAR_LIST_SIZE, countOf);
  }

  /**
   * Takes one tweet. Returns true when it is a new training document (the caller indexes it),
   * false when it has no hashtag, an empty query, or a query already seen.
   */
  add(example: Example): boolean {
    if (example.keys.length === 0 || example.query.length === 0) return false;
    const seenKey = dedupeKey(example);
    if (this.seenQueries.has(seenKey)) return false;
    this.seenQueries.add(seenKey);
    for (const key of example.keys) {
      const count = (this.counts.get(key) ?? 0) + 1;
      this.counts.set(key, count);
      if (count >= MIN_USES) {
        this.vocabulary?.bump(key);
        this.popular.bump(key);
      }
    }
    return true;
  }

  /** Whether `key` is in the candidate vocabulary now. */
  isCandidate(key: string): boolean {
    return this.vocabulary ? this.vocabulary.has(key) : (this.counts.get(key) ?? 0) >= MIN_USES;
  }

  /** Candidate keys, most used first (the first few hundred). */
  mostUsed(): readonly string[] {
    return this.popular.list();
  }

  /** Fills `ranked` up to `k` with the most used candidates not already in it. */
  fillWithPopular(ranked: string[], k: number): string[] {
    if (ranked.length >= k) return ranked.slice(0, k);
    const present = new Set(ranked);
    for (const key of this.popular.list()) {
      if (ranked.length >= k) break;
      if (!present.has(key) && this.isCandidate(key)) ranked.push(key);
    }
    return ranked;
  }
}

/**
 * Whether a key is in the baselines' candidate vocabulary of these training tweets (the K most
 * used with ≥2 uses): how `eval` limits a model to the hashtags the baselines compete on.
 */
export function sharedVocabulary(train: readonly Example[], vocabularySize: VocabularySize): (key: string) => boolean {
  const corpus = new BaselineCorpus(vocabularySize);
  for (const example of train) corpus.add(example);
  return (key) => corpus.isCandidate(key);
}

/** Ranks scored keys best first; ties go to the more used key, then to key order. */
export function rankByScore(scores: Map<string, number>, corpus: BaselineCorpus, k: number): string[] {
  const keys = [...scores.keys()];
  keys.sort(
    (a, b) =>
      scores.get(b)! - scores.get(a)! || (corpus.counts.get(b) ?? 0) - (corpus.counts.get(a) ?? 0) || (a < b ? -1 : 1),
  );
  return corpus.fillWithPopular(keys.slice(0, k), k);
}
