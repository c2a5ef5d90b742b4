import { termCounts } from "../data/terms.js";
import { HOUR_MS } from "../trending/decay.js";
import type { RecentTweet } from "./neighbour-index.js";
import { HashtagIds } from "./hashtag-ids.js";
import { DEFAULT_MAX_DOCUMENT_SHARE, isCommonTerm, tfidfVector } from "./tfidf-vector.js";
import { TermDictionary } from "./term-dictionary.js";
import { grown, TypedList } from "./typed-list.js";
import { HourlyWindow } from "./window.js";
import { WeightMatrix } from "./weight-matrix.js";

export interface CentroidIndexOptions {
  /** A tweet's part in its hashtags' centroids halves per this many hours of age (default 24). */
  halfLifeHours?: number;
  /** Tweets older than this (behind the newest) leave the centroids (default 48 h). */
  windowHours?: number;
  /**
   * Terms in at least this share of the window's tweets, and in 10 or more, are left out of the
   * vectors (default {@link DEFAULT_MAX_DOCUMENT_SHARE}; Infinity keeps them all).
   */
  maxDocumentShare?: number;
  /** Hashtags read by their place in this list ({@link CentroidCosines.at}): the model's, so that ranking needs no lookup by key. */
  indexedKeys?: readonly string[];
}

/** A draft's cosine with each hashtag's centroid (0 for a hashtag without one, or nothing in common). */
export interface CentroidCosines {
  /** By key. */
  of(key: string): number;
  /** By place in `indexedKeys`. */
  at(index: number): number;
}

/** The window's tweets of one hour, as needed to take them out of their centroids again. */
interface Segment {
  hour: number;
  times: number[];
  /**
   * Tweet i's hashtag ids are `hashtags[hashtagStart[i] .. hashtagStart[i + 1])`; its term ids and
   * their weights in its unit vector (0: left out) likewise, from `termStart`.
   */
  hashtagStart: TypedList;
  hashtags: TypedList;
  termStart: TypedList;
  terms: TypedList;
  weights: TypedList;
}

/** `addAll` packs the matrix ({@link WeightMatrix.rescale}) after this many tweets: a backlog read at start-up. */
const PACK_AFTER_TWEETS = 1000;
/** Rebase the scales once a new tweet's scale would pass 2^this (far below a double's 2^1023). */
const MAX_SCALE_EXPONENT = 64;
/**
 * Each recent hashtag's centroid: the time-decayed sum of the unit TF-IDF vectors (word unigrams
 * and bigrams, document frequencies over the window, as in {@link NeighbourIndex}; the commonest
 * terms left out, {@link DEFAULT_MAX_DOCUMENT_SHARE}) of the window's tweets that used it; a
 * draft's fit with a hashtag is the cosine between the draft's vector and that centroid. Where the neighbours' votes catch the same text coming back, the centroid catches
 * what a hashtag has been about over the last day or two.
 *
 * The centroids are a sparse term × hashtag matrix ({@link WeightMatrix}), so a draft's cosines are
 * summed term by term; tweets live in hourly segments, and a segment that falls out of the window
 * is subtracted again. The decay multiplies a newer tweet up (2^(age/halfLife) relative to a base
 * time) rather than the old ones down; the cosine does not depend on the scale, and the base moves
 * forward whenever a segment leaves, when every centroid's norm is also summed anew.
 *
 * @example
 * ```ts
 * const index = new CentroidIndex();
 * index.add({ time: t, query: "dawn service at the memorial", keys: ["anzacday"] });
 * index.cosines("the dawn service", (cosines) => cosines.of("anzacday")); // 0.67
 * ```
 */
export class CentroidIndex {
  private readonly window: HourlyWindow<Segment>;
  private readonly matrix = new WeightMatrix();
  private documents = 0;
  private readonly halfLifeMs: number;
  /** The time at which a tweet's scale is 1. */
  private base: number | undefined;
  /** Terms of the window's tweets: id, and per id its document frequency. */
  private readonly terms = new TermDictionary();
  private termDocuments = new Int32Array(1024);
  private readonly maxDocumentShare: number;
  /** A term's id, when it is in the window and not among its commonest ({@link DEFAULT_MAX_DOCUMENT_SHARE}). */
  private readonly findTerm = (term: string) => {
    const id = this.terms.find(term);
    return id !== undefined && !isCommonTerm(this.termDocuments[id]!, this.documents, this.maxDocumentShare) ? id : undefined;
  };
  private readonly frequencyOf = (id: number) => this.termDocuments[id]!;
  /** Hashtags: id (`indexedKeys` first, kept for good), and per id its tweets in the window and the centroid's squared norm. */
  private readonly hashtagIds: HashtagIds;
  private withCentroid = 0;
  private tweetsOf = new Int32Array(64);
  private squaredNorm = new Float64Array(64);
  /** A draft's dot product per hashtag id with its sparse terms (reset after each draft). */
  private dot = new Float64Array(64);

  constructor(options: CentroidIndexOptions = {}) {
    this.halfLifeMs = (options.halfLifeHours ?? 24) * HOUR_MS;
    this.window = new HourlyWindow(options.windowHours ?? 48, newSegment, (leaving) => this.drop(leaving));
    this.maxDocumentShare = options.maxDocumentShare ?? DEFAULT_MAX_DOCUMENT_SHARE;
    this.hashtagIds = new HashtagIds(options.indexedKeys);
    this.grow(this.hashtagIds.capacity);
  }

  /** Tweets in the window. */
  get size(): number {
    return this.documents;
  }

  /** Hashtags with a centroid. */
  get hashtags(): number {
    return this.withCentroid;
  }

  /**
   * Adds tweets in their order, leaving out at once those already out of the window behind the
   * newest ({@link HourlyWindow.fresh}); after many, packs the matrix for reading, as each hour does.
   */
  addAll(tweets: readonly RecentTweet[]): void {
    const added = this.window.fresh(tweets);
    for (const tweet of added) this.add(tweet);
    if (added.length >= PACK_AFTER_TWEETS) this.rebase(this.base!);
  }

  /** Adds a tweet with hashtags to their centroids (others are ignored). */
  add(tweet: RecentTweet): void {
    if (tweet.keys.length === 0) return;
    const counts = termCounts(tweet.query);
    if (counts.size === 0) return;
    const hour = Math.floor(tweet.time / HOUR_MS);
    if (this.window.isOut(hour)) return;
    const segment = this.window.segmentFor(hour);
    const termIds = [...counts.keys()].map((term) => this.termIdFor(term));
    for (const id of termIds) this.termDocuments[id]!++;
    this.documents++;
    const vector = this.vector(counts);
    // 0 for a term left out of the vector (a common one): it has no cell.
    const weights = termIds.map((id) => vector.get(id) ?? 0);
    this.base ??= tweet.time;
    if ((tweet.time - this.base) / this.halfLifeMs > MAX_SCALE_EXPONENT) this.rebase(tweet.time);
    const scale = this.scale(tweet.time);
    segment.times.push(tweet.time);
    segment.hashtagStart.push(segment.hashtags.length);
    segment.termStart.push(segment.terms.length);
    for (let i = 0; i < termIds.length; i++) {
      segment.terms.push(termIds[i]!);
      segment.weights.push(weights[i]!);
    }
    const unit = vector.size > 0 ? 1 : 0; // ‖v‖²
    for (const key of new Set(tweet.keys)) {
      const id = this.idFor(key);
      segment.hashtags.push(id);
      // ‖c + s·v‖² = ‖c‖² + 2s·(v·c) + s²‖v‖².
      let dot = 0;
      for (let i = 0; i < termIds.length; i++) {
        const weight = weights[i]!;
        if (weight === 0) continue;
        const delta = scale * weight;
        dot += weight * (this.matrix.add(termIds[i]!, id, delta) - delta);
      }
      this.squaredNorm[id]! += 2 * scale * dot + scale * scale * unit;
      if (this.tweetsOf[id]!++ === 0) this.withCentroid++;
    }
  }

  /**
   * Calls `read` with the cosines between `query` (or its term counts, `termCounts`) and the hashtags'
   * centroids, worked out term by term first; they are valid only during `read`.
   */
  cosines<T>(query: string | ReadonlyMap<string, number>, read: (cosines: CentroidCosines) => T): T {
    const vector = this.vector(query);
    const { dot, matrix, squaredNorm } = this;
    let cells = 0;
    for (const [term, weight] of vector) cells += matrix.accumulate(term, weight, dot);
    const cosineOf = (id: number) => {
      const product = dot[id]!;
      return product > 0 ? Math.min(1, product / Math.sqrt(squaredNorm[id]!)) : 0;
    };
    try {
      return read({
        of: (key) => {
          const id = this.hashtagIds.find(key);
          return id === undefined ? 0 : cosineOf(id);
        },
        at: (index) => (index < this.hashtagIds.indexed ? cosineOf(index) : 0),
      });
    } finally {
      // Zeroing the whole array is the cheaper way back once the draft has touched much of it.
      if (4 * cells > dot.length) dot.fill(0);
      else for (const term of vector.keys()) matrix.clear(term, dot);
    }
  }

  /** The text's vector over the window's terms ({@link tfidfVector}), by term id. */
  private vector(text: string | ReadonlyMap<string, number>): Map<number, number> {
    return tfidfVector(text, this.findTerm, this.frequencyOf, this.documents);
  }

  /** A tweet's weight in its centroids: 2^((time − base) / halfLife). */
  private scale(time: number): number {
    return 2 ** ((time - this.base!) / this.halfLifeMs);
  }

  /** The term's id (a new term's document frequency starts at 0). */
  private termIdFor(term: string): number {
    const known = this.terms.size;
    const id = this.terms.add(term);
    if (this.terms.size === known) return id;
    if (id >= this.termDocuments.length) this.termDocuments = grown(this.termDocuments, Math.max(id + 1, this.termDocuments.length * 2));
    this.termDocuments[id] = 0;
    return id;
  }

  private idFor(key: string): number {
    let id = this.hashtagIds.find(key);
    if (id !== undefined) return id;
    id = this.hashtagIds.add(key);
    if (id >= this.tweetsOf.length) this.grow(id + 1);
    this.tweetsOf[id] = 0;
    this.squaredNorm[id] = 0;
    return id;
  }

  /** Room for `size` hashtag ids in the per-hashtag arrays. */
  private grow(size: number): void {
    const capacity = Math.max(size, this.tweetsOf.length * 2);
    this.tweetsOf = grown(this.tweetsOf, capacity);
    this.squaredNorm = grown(this.squaredNorm, capacity);
    this.dot = grown(this.dot, capacity);
  }

  /** Takes the segments' tweets out of their centroids, then moves the base forward and sums the norms anew ({@link rebase}). */
  private drop(segments: readonly Segment[]): void {
    for (const { times, hashtagStart, hashtags, termStart, terms, weights } of segments) {
      for (let tweet = 0; tweet < times.length; tweet++) {
        const scale = this.scale(times[tweet]!);
        const termEnd = tweet + 1 < times.length ? termStart.at(tweet + 1) : terms.length;
        const hashtagEnd = tweet + 1 < times.length ? hashtagStart.at(tweet + 1) : hashtags.length;
        for (let h = hashtagStart.at(tweet); h < hashtagEnd; h++) {
          const id = hashtags.at(h);
          for (let t = termStart.at(tweet); t < termEnd; t++) if (weights.at(t) !== 0) this.matrix.subtract(terms.at(t), id, scale * weights.at(t));
          if (--this.tweetsOf[id]! > 0) continue;
          this.withCentroid--;
          this.hashtagIds.release(id); // an indexed key keeps its id: it is read by place
        }
        for (let t = termStart.at(tweet); t < termEnd; t++) {
          const term = terms.at(t);
          if (--this.termDocuments[term]! > 0) continue;
          // Its last tweet gone, its last cell went with it.
          this.terms.delete(term);
        }
        this.documents--;
      }
    }
    const oldest = this.window.segments[0];
    this.rebase(oldest === undefined ? this.base! : oldest.hour * HOUR_MS);
  }

  /**
   * Moves the base to `time` (every weight rescaled), sums each centroid's squared norm anew
   * (which also clears rounding left by subtractions), and packs the matrix for reading.
   */
  private rebase(time: number): void {
    this.matrix.rescale(2 ** (-(time - this.base!) / this.halfLifeMs), this.squaredNorm);
    this.base = time;
  }
}

function newSegment(hour: number): Segment {
  return {
    hour,
    times: [],
    hashtagStart: new TypedList("int32"),
    hashtags: new TypedList("int32"),
    termStart: new TypedList("int32"),
    terms: new TypedList("int32"),
    weights: new TypedList("float64"),
  };
}
