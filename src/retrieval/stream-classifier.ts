import { termCounts } from "../data/terms.js";
import { HOUR_MS } from "../trending/decay.js";
import type { RecentTweet } from "./neighbour-index.js";
import { HashtagIds } from "./hashtag-ids.js";
import { DEFAULT_MAX_DOCUMENT_SHARE, isCommonTerm } from "./tfidf-vector.js";
import { TermDictionary } from "./term-dictionary.js";
import { grown } from "./typed-list.js";
import { WeightMatrix } from "./weight-matrix.js";

export interface StreamClassifierOptions {
  /** The step of each update (default 10; it and the other defaults were chosen on the validation days, bench/README.md "Choosing the blend"). */
  learningRate?: number;
  /** Weights, and terms' document counts, halve per this many hours (default 6). */
  halfLifeHours?: number;
  /** A tweet's hashtags compete with those of this many tweets ingested before it (default 50). */
  rivalTweets?: number;
  /**
   * A rival whose probability is below this is not updated (default 0.05): such steps would make
   * most of the cells, for nothing measurable (0.01 scored the same).
   */
  minRivalProbability?: number;
  /**
   * Weights smaller than this, brought to the present, go at the hourly packing, and so do terms
   * with no weight whose decayed count is smaller (default 0.2; 0.01, with rivals stepped from
   * 0.01, scored the same and held 13 times the cells).
   */
  minWeight?: number;
  /** Terms in at least this share of the (decayed) tweets, and in 10 or more, are left out (default {@link DEFAULT_MAX_DOCUMENT_SHARE}). */
  maxDocumentShare?: number;
  /** Hashtags read by their place in this list ({@link ClassifierScores.at}): the model's, so that ranking needs no lookup by key. */
  indexedKeys?: readonly string[];
}

/** A draft's score for each hashtag (0 for a hashtag the classifier has no weights for). */
export interface ClassifierScores {
  /** By key. */
  of(key: string): number;
  /** By place in `indexedKeys`. */
  at(index: number): number;
}

/**
 * A classifier that learns from the stream: a softmax regression from a tweet's words to its
 * hashtags, trained online, one step per ingested tweet. The model learned the corpus it was
 * trained on; this learns what the words of today's tweets point to, and mostly what tells apart
 * the hashtags trending at the same time: a tweet's hashtags compete with those of the
 * {@link StreamClassifierOptions.rivalTweets} tweets ingested before it, and the step moves its
 * words' weights towards its hashtags and away from the rivals the classifier gave probability to.
 *
 * A tweet is its distinct terms (word unigrams and bigrams, `termsOf`), each of weight 1/√n, the
 * commonest left out ({@link isCommonTerm}, on time-decayed document counts). Weights decay with
 * a half-life: a step is multiplied up by 2^(age/halfLife) relative to a base time rather than the
 * old weights down, and every hour the weights are rescaled to the present, the smallest dropped
 * and the matrix packed for reading ({@link WeightMatrix.rescale}).
 *
 * @example
 * ```ts
 * const classifier = new StreamClassifier();
 * classifier.add({ time: t, query: "dawn service at the memorial", keys: ["anzacday"] });
 * classifier.add({ time: t, query: "what a goal in the derby", keys: ["mufc"] });
 * classifier.scores("the dawn service", (scores) => scores.of("anzacday")); // > scores.of("mufc")
 * ```
 */
export class StreamClassifier {
  private readonly matrix = new WeightMatrix();
  private readonly learningRate: number;
  private readonly halfLifeMs: number;
  private readonly minRivalProbability: number;
  private readonly minWeight: number;
  private readonly maxDocumentShare: number;
  /** The time at which a step's scale is 1, and the hour of the last packing. */
  private base: number | undefined;
  private packedHour = -Infinity;
  private latest = -Infinity;
  /** Tweets, and per term id the tweets with it, decayed and scaled as the weights are. */
  private documents = 0;
  private readonly terms = new TermDictionary();
  private termDocuments = new Float64Array(1024);
  /** Hashtags: id (`indexedKeys` first, kept for good). */
  private readonly hashtagIds: HashtagIds;
  /** The hashtag ids of the last `rivalTweets` tweets, oldest first, and per id how many of them have it. */
  private readonly rivals: number[][] = [];
  private readonly rivalTweets: number;
  private inRivals = new Int32Array(64);
  /** A draft's summed weights per hashtag id (reset after each draft); per id, its squared weights (at packing). */
  private dot = new Float64Array(64);
  private squaredNorm = new Float64Array(64);

  constructor(options: StreamClassifierOptions = {}) {
    this.learningRate = options.learningRate ?? 10;
    this.halfLifeMs = (options.halfLifeHours ?? 6) * HOUR_MS;
    this.rivalTweets = options.rivalTweets ?? 50;
    this.minRivalProbability = options.minRivalProbability ?? 0.05;
    this.minWeight = options.minWeight ?? 0.2;
    this.maxDocumentShare = options.maxDocumentShare ?? DEFAULT_MAX_DOCUMENT_SHARE;
    this.hashtagIds = new HashtagIds(options.indexedKeys);
    this.grow(this.hashtagIds.capacity);
  }

  /** Weights held (term × hashtag cells). */
  get size(): number {
    return this.matrix.size;
  }

  /** Learns from tweets in their order. */
  addAll(tweets: readonly RecentTweet[]): void {
    for (const tweet of tweets) this.add(tweet);
  }

  /** One step of learning from a tweet with hashtags (others are ignored). */
  add(tweet: RecentTweet): void {
    if (tweet.keys.length === 0) return;
    const counts = termCounts(tweet.query);
    if (counts.size === 0) return;
    this.moveTo(tweet.time);
    const scale = this.scale(tweet.time);
    const termIds: number[] = [];
    for (const term of counts.keys()) {
      const id = this.termIdFor(term);
      this.termDocuments[id]! += scale;
      termIds.push(id);
    }
    this.documents += scale;
    const used = termIds.filter((id) => !this.isCommon(id, scale));
    const truth = [...new Set(tweet.keys)].map((key) => this.idFor(key));
    if (used.length > 0) this.step(used, truth, scale);
    this.remember(truth);
  }

  /**
   * Calls `read` with the scores of `query` (or its term counts, `termCounts`): per hashtag, the
   * sum of its weights for the query's terms, over √n, as they stood at the newest tweet learned
   * (as the centroids do, so a pause in the stream does not fade them); valid only during `read`.
   */
  scores<T>(query: string | ReadonlyMap<string, number>, read: (scores: ClassifierScores) => T): T {
    const counts = typeof query === "string" ? termCounts(query) : query;
    const { dot, matrix } = this;
    const latestScale = this.base === undefined ? 1 : this.scale(this.latest);
    const used: number[] = [];
    for (const term of counts.keys()) {
      const id = this.terms.find(term);
      if (id !== undefined && !this.isCommon(id, latestScale)) used.push(id);
    }
    // Weights are kept multiplied by the scale.
    const factor = used.length === 0 ? 0 : 1 / (Math.sqrt(used.length) * latestScale);
    let cells = 0;
    for (const id of used) cells += matrix.accumulate(id, factor, dot);
    try {
      return read({
        of: (key) => {
          const id = this.hashtagIds.find(key);
          return id === undefined ? 0 : dot[id]!;
        },
        at: (index) => (index < this.hashtagIds.indexed ? dot[index]! : 0),
      });
    } finally {
      if (4 * cells > dot.length) dot.fill(0);
      else for (const id of used) matrix.clear(id, dot);
    }
  }

  /** The softmax step for a tweet's terms (ids, not common) and hashtags against the rivals. */
  private step(termIds: readonly number[], truth: readonly number[], scale: number): void {
    const contenders = [...new Set([...truth, ...this.rivals.flat()])];
    const weight = 1 / Math.sqrt(termIds.length);
    // Summed term by term, as for a draft: a term has few cells, where looking up every (term, contender) pair is many probes.
    const { dot } = this;
    for (const term of termIds) this.matrix.accumulate(term, weight / scale, dot);
    const logits = contenders.map((id) => dot[id]!);
    for (const term of termIds) this.matrix.clear(term, dot);
    const max = Math.max(...logits);
    const exps = logits.map((logit) => Math.exp(logit - max));
    const total = exps.reduce((a, b) => a + b, 0);
    contenders.forEach((id, n) => {
      const probability = exps[n]! / total;
      const isTruth = n < truth.length;
      if (!isTruth && probability < this.minRivalProbability) return;
      const delta = this.learningRate * ((isTruth ? 1 / truth.length : 0) - probability) * weight * scale;
      for (const term of termIds) this.matrix.add(term, id, delta);
    });
  }

  /** Keeps the tweet's hashtags among the rivals of the next ones. */
  private remember(truth: number[]): void {
    this.rivals.push(truth);
    for (const id of truth) this.inRivals[id]!++;
    if (this.rivals.length > this.rivalTweets) for (const id of this.rivals.shift()!) this.inRivals[id]!--;
  }

  /** A term too common to tell hashtags apart (its decayed count at the given scale). */
  private isCommon(id: number, scale: number): boolean {
    return isCommonTerm(this.termDocuments[id]! / scale, this.documents / scale, this.maxDocumentShare);
  }

  /** A tweet's weight: 2^((time − base) / halfLife). */
  private scale(time: number): number {
    return 2 ** ((time - this.base!) / this.halfLifeMs);
  }

  /** Sets the base at the first tweet; at each new hour, brings every weight to the present ({@link pack}), so scales stay near 1. */
  private moveTo(time: number): void {
    this.base ??= time;
    if (time > this.latest) this.latest = time;
    const hour = Math.floor(time / HOUR_MS);
    if (hour > this.packedHour) {
      this.pack(time);
      this.packedHour = hour;
    }
  }

  /**
   * Moves the base to `time`: every weight and count rescaled, weights too small to matter
   * dropped, and terms and hashtags left with nothing forgotten.
   */
  private pack(time: number): void {
    const factor = 2 ** (-(time - this.base!) / this.halfLifeMs);
    this.matrix.rescale(factor, this.squaredNorm, this.minWeight);
    this.base = time;
    this.documents *= factor;
    const { termDocuments } = this;
    for (let id = 0; id < termDocuments.length; id++) {
      if (termDocuments[id] === 0) continue; // a free id
      termDocuments[id]! *= factor;
      if (termDocuments[id]! >= this.minWeight || this.matrix.lengthOf(id) > 0) continue;
      this.terms.delete(id);
      termDocuments[id] = 0;
    }
    // A hashtag with no weight left, and not among the rivals, is forgotten.
    for (let id = this.hashtagIds.indexed; id < this.hashtagIds.capacity; id++) {
      if (this.hashtagIds.has(id) && this.squaredNorm[id] === 0 && this.inRivals[id] === 0) this.hashtagIds.release(id);
    }
  }

  /** The term's id (a new term's document count starts at 0). */
  private termIdFor(term: string): number {
    const id = this.terms.add(term);
    if (id >= this.termDocuments.length) this.termDocuments = grown(this.termDocuments, Math.max(id + 1, this.termDocuments.length * 2));
    return id;
  }

  private idFor(key: string): number {
    let id = this.hashtagIds.find(key);
    if (id !== undefined) return id;
    id = this.hashtagIds.add(key);
    if (id >= this.dot.length) this.grow(id + 1);
    return id; // its rival count is 0: a released id's was, and grown arrays start at 0
  }

  /** Room for `size` hashtag ids in the per-hashtag arrays. */
  private grow(size: number): void {
    const capacity = Math.max(size, this.dot.length * 2);
    this.dot = grown(this.dot, capacity);
    this.squaredNorm = grown(this.squaredNorm, capacity);
    this.inRivals = grown(this.inRivals, capacity);
  }
}
