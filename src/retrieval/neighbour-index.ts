import { termCounts } from "../data/terms.js";
import { HOUR_MS } from "../trending/decay.js";
import { DEFAULT_MAX_DOCUMENT_SHARE, isCommonTerm, tfidfVector } from "./tfidf-vector.js";
import { HourlyWindow } from "./window.js";

/** A recent tweet as the index keeps it: its cleaned text, its hashtags, when. */
export interface RecentTweet {
  time: number;
  /** Cleaned text (hashtags, links and mentions removed). */
  query: string;
  keys: readonly string[];
}

export interface NeighbourIndexOptions {
  /** A neighbour's vote halves per this many hours of age (default 1). */
  halfLifeHours?: number;
  /** Tweets older than this (behind the newest) are dropped (default 12 h). */
  windowHours?: number;
  /**
   * Terms in at least this share of the window's tweets, and in 10 or more, are left out of the
   * vectors (default {@link DEFAULT_MAX_DOCUMENT_SHARE}; Infinity keeps them all).
   */
  maxDocumentShare?: number;
}

/** Tweets that share only a common word or two (cosine below this) do not vote. */
const MIN_SIMILARITY = 0.1;

interface Segment {
  hour: number;
  times: number[];
  keys: (readonly string[])[];
  /** The segment's posting of each of its terms (also in the index's map of all postings). */
  postings: Map<string, Posting>;
  /** Terms of each document, to undo their document frequencies when the segment is dropped. */
  terms: string[][];
  /** A query's similarity per document, and the documents it touched (reset after each query). */
  similarity: Float64Array;
  touched: Int32Array;
  touchedCount: number;
}

/** A term's documents in one segment, with the term's weight in each. */
interface Posting {
  segment: Segment;
  docs: number[];
  weights: number[];
}

/**
 * Recent tweets, searchable by text: the hashtags of the tweets most like a draft, weighted by
 * squared cosine similarity (TF-IDF over word unigrams and bigrams, document frequencies kept over
 * the window, the commonest terms left out: {@link DEFAULT_MAX_DOCUMENT_SHARE}; below 0.1 no vote)
 * and by recency (each neighbour's vote halves per half-life). The stream is bursty — the same
 * text comes back within minutes with the same hashtags — and this is the signal that catches it.
 * Tweets live in hourly segments; whole segments fall out of the window.
 *
 * @example
 * ```ts
 * const index = new NeighbourIndex({ halfLifeHours: 1 });
 * index.add({ time: t, query: "dawn service at the memorial", keys: ["anzacday"] });
 * index.votes("dawn service at the memorial", t); // Map { "anzacday" => 1 }
 * ```
 */
export class NeighbourIndex {
  private readonly window: HourlyWindow<Segment>;
  /** Each term's postings, one per segment that has it: one lookup a term per query. */
  private readonly postings = new Map<string, Posting[]>();
  private readonly documentFrequency = new Map<string, number>();
  private readonly maxDocumentShare: number;
  /** The term, when it is in the window and not among its commonest ({@link DEFAULT_MAX_DOCUMENT_SHARE}). */
  private readonly findTerm = (term: string) => {
    const frequency = this.documentFrequency.get(term);
    return frequency !== undefined && !isCommonTerm(frequency, this.documents, this.maxDocumentShare) ? term : undefined;
  };
  private readonly frequencyOf = (term: string) => this.documentFrequency.get(term)!;
  private documents = 0;
  private readonly halfLifeMs: number;

  constructor(options: NeighbourIndexOptions = {}) {
    this.halfLifeMs = (options.halfLifeHours ?? 1) * HOUR_MS;
    this.maxDocumentShare = options.maxDocumentShare ?? DEFAULT_MAX_DOCUMENT_SHARE;
    this.window = new HourlyWindow(options.windowHours ?? 12, newSegment, (leaving) => leaving.forEach((segment) => this.drop(segment)));
  }

  /** Tweets in the window. */
  get size(): number {
    return this.documents;
  }

  /** Adds tweets in their order, leaving out at once those already out of the window behind the newest ({@link HourlyWindow.fresh}). */
  addAll(tweets: readonly RecentTweet[]): void {
    for (const tweet of this.window.fresh(tweets)) this.add(tweet);
  }

  /** Adds a tweet with hashtags (others cannot vote and are ignored). */
  add(tweet: RecentTweet): void {
    if (tweet.keys.length === 0) return;
    const counts = termCounts(tweet.query);
    const terms = [...counts.keys()];
    if (terms.length === 0) return;
    const hour = Math.floor(tweet.time / HOUR_MS);
    if (this.window.isOut(hour)) return;
    const segment = this.window.segmentFor(hour);
    for (const term of terms) this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
    this.documents++;
    const vector = this.vector(counts);
    const doc = segment.times.length;
    segment.times.push(tweet.time);
    segment.keys.push(tweet.keys);
    segment.terms.push(terms);
    if (segment.similarity.length <= doc) {
      segment.similarity = new Float64Array(segment.similarity.length * 2);
      segment.touched = new Int32Array(segment.touched.length * 2);
    }
    for (const [term, weight] of vector) {
      let posting = segment.postings.get(term);
      if (!posting) {
        posting = { segment, docs: [], weights: [] };
        segment.postings.set(term, posting);
        const all = this.postings.get(term);
        if (all) all.push(posting);
        else this.postings.set(term, [posting]);
      }
      posting.docs.push(doc);
      posting.weights.push(weight);
    }
  }

  /**
   * Hashtag → its share of the neighbours' votes, where a neighbour votes
   * `similarity² · 2^(−age / halfLife)` for each of its hashtags and the shares are of at least one
   * full vote (so a few weak look-alikes stay weak); empty when nothing is alike. `query` may be
   * given as its term counts (`termCounts`).
   */
  votes(query: string | ReadonlyMap<string, number>, now: number): Map<string, number> {
    const vector = this.vector(query);
    const votes = new Map<string, number>();
    if (vector.size === 0) return votes;
    // Similarities, term by term, into each segment's accumulators.
    for (const [term, weight] of vector) {
      const postings = this.postings.get(term);
      if (!postings) continue;
      for (const { segment, docs, weights } of postings) {
        const { similarity, touched } = segment;
        for (let i = 0; i < docs.length; i++) {
          const doc = docs[i]!;
          if (similarity[doc] === 0) touched[segment.touchedCount++] = doc;
          similarity[doc]! += weight * weights[i]!;
        }
      }
    }
    let total = 0;
    for (const segment of this.window.segments) {
      const { similarity, touched } = segment;
      for (let i = 0; i < segment.touchedCount; i++) {
        const doc = touched[i]!;
        const sim = similarity[doc]!;
        similarity[doc] = 0;
        if (sim < MIN_SIMILARITY) continue;
        const vote = sim * sim * 2 ** (-Math.max(0, now - segment.times[doc]!) / this.halfLifeMs);
        if (vote < 1e-6) continue;
        for (const key of segment.keys[doc]!) {
          votes.set(key, (votes.get(key) ?? 0) + vote);
          total += vote;
        }
      }
      segment.touchedCount = 0;
    }
    // Shares of at least one full vote: weak, sparse evidence stays small instead of becoming certain.
    const scale = Math.max(total, 1);
    for (const [key, vote] of votes) votes.set(key, vote / scale);
    return votes;
  }

  /** The text's vector over the window's terms ({@link tfidfVector}). */
  private vector(text: string | ReadonlyMap<string, number>): Map<string, number> {
    return tfidfVector(text, this.findTerm, this.frequencyOf, this.documents);
  }

  private drop(segment: Segment): void {
    for (const [term, posting] of segment.postings) {
      const all = this.postings.get(term)!;
      if (all.length === 1) this.postings.delete(term);
      else all.splice(all.indexOf(posting), 1);
    }
    for (const terms of segment.terms) {
      for (const term of terms) {
        const left = this.documentFrequency.get(term)! - 1;
        if (left === 0) this.documentFrequency.delete(term);
        else this.documentFrequency.set(term, left);
      }
    }
    this.documents -= segment.terms.length;
  }
}

function newSegment(hour: number): Segment {
  return { hour, times: [], keys: [], postings: new Map(), terms: [], similarity: new Float64Array(64), touched: new Int32Array(64), touchedCount: 0 };
}
