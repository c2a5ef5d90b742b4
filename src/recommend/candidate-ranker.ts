import type { HashtagEntry } from "../data/vocabulary.js";
import type { TrendSnapshot } from "../trending/trend-cache.js";
import type { TrendEntry } from "../trending/store.js";
import type { RecentUses } from "../trending/recent-uses.js";
import type { CentroidCosines, CentroidIndex } from "../retrieval/centroid-index.js";
import type { ClassifierScores, StreamClassifier } from "../retrieval/stream-classifier.js";
import { COMPLETION_WITHOUT_WORDS, feature, logitOfFeatures, modelScaleOf, SIGNALS, weightsAtCoverage, type BlendWeights, type Signals } from "./blend.js";
import type { Lesson, OnlineBlend } from "./online-blend.js";
import type { ScoredDraft } from "./recommender.js";
import { topK, topKeys } from "./top-k.js";

/** Everything measured for one draft, from which each candidate's {@link Signals} are read. */
export interface Evidence {
  scored: ScoredDraft;
  /** The cleaned draft's terms with their counts (`termCounts`), for the neighbour and centroid indexes and the stream classifier. */
  terms: ReadonlyMap<string, number>;
  snapshot: TrendSnapshot;
  /** Store entries read besides the snapshot (prefix completion). */
  known: Map<string, TrendEntry>;
  votes: Map<string, number>;
  /** Per hashtag, its share of the recent tweets with a hashtag already in the draft (`CooccurrenceIndex.shares`; empty when there is none). */
  cooccurrence: ReadonlyMap<string, number>;
  now: number;
}

export interface Ranked {
  key: string;
  signals: Signals;
  /**
   * The blend its logit used: the blend's weights then ({@link OnlineBlend}), the model's scaled by
   * its coverage of the trends ({@link weightsAtCoverage}); for a completion whose draft has no
   * words, {@link COMPLETION_WITHOUT_WORDS}.
   */
  weights: BlendWeights;
  logit: number;
  /** Softmax of the logit over all the draft's candidates. */
  score: number;
}

/**
 * A draft's candidates, each once: its key, its index among the model's hashtags (−1 if the
 * model lacks it) and its place in the trend snapshot (−1 if not there, or not looked up).
 */
export interface Candidates {
  keys: string[];
  modelIndex: number[];
  trendAt: number[];
}

/**
 * The model's best hashtags considered per draft, besides the trending ones. 50 instead of 100
 * scored the same hit@5 on the validation days (0.768 / 0.784, bench/README.md "Speed and load"), for
 * less work per draft; 30 did too.
 */
export const MODEL_CANDIDATES = 50;
/** The neighbours' most voted hashtags considered per draft. */
const NEIGHBOUR_CANDIDATES = 50;
/** The hashtags most used with those already in the draft, considered per draft. */
const COOCCURRENCE_CANDIDATES = 20;

/** What a trend snapshot's entries add to any draft's logits, worked out once per snapshot. */
interface TrendFeatures {
  /** Per model hashtag, its place among the snapshot's entries, or −1. */
  entryOf: Int32Array;
  /** Per entry, its model index, or −1. */
  modelIndex: Int32Array;
  trend: Float64Array;
  uses: Float64Array;
  /** The share of the entries' uses (blocked ones left out) that goes to hashtags the model knows; 1 when there are none. */
  modelCoverage: number;
  /** The blend at that coverage ({@link weightsAtCoverage}), and the blend's weights it was worked out from (they change as it learns); worked out when first needed. */
  scaled: { base: Readonly<BlendWeights>; weights: BlendWeights } | undefined;
}

/** Features per candidate: one per signal, in `SIGNALS` order (the order `logitOfFeatures` takes them). */
const WIDTH = SIGNALS.length;
const [MODEL, TREND, NEIGHBOURS, BURST, USES, CENTROID, CLASSIFIER, COOCCURRENCE] = ["model", "trend", "neighbours", "burst", "uses", "centroid", "classifier", "cooccurrence"].map((signal) => {
  const column = (SIGNALS as readonly string[]).indexOf(signal);
  if (column < 0) throw new Error(`no signal '${signal}'`);
  return column;
}) as [number, number, number, number, number, number, number, number];
const NONE: ReadonlySet<string> = new Set();

/**
 * Scores a draft's candidates with the blend ({@link logitOfFeatures}) and keeps the best k. It
 * runs for some 300 candidates per draft, so it reads model hashtags by index, not by key;
 * finds duplicates with a stamp per model hashtag instead of a set; takes the trend features of a
 * snapshot's entries from a cache; and builds {@link Signals} only for the few it returns. The
 * same features, for all of a tweet's candidates, are what it teaches the blend ({@link lesson}).
 */
export class CandidateRanker {
  private readonly seen: Int32Array;
  private stamp = 0;
  private readonly trendFeatures = new WeakMap<TrendSnapshot, TrendFeatures>();
  /** A draft's neighbour votes per model hashtag while it is ranked (0 otherwise). */
  private readonly votesAt: Float64Array;
  /** The burst feature per model hashtag, for `recentUses` at version `burstVersion`. */
  private readonly burstAt: Float64Array;
  private burstVersion = -1;
  private burstIndices: number[] = [];
  /** The logits of a draft's candidates while it is ranked. */
  private logits = new Float64Array(512);
  /** A draft's candidates' features while it is ranked or learned from, `WIDTH` a row, and each row's candidate. */
  private rows = new Float64Array(512 * WIDTH);
  private rowOf = new Int32Array(512);

  constructor(
    private readonly hashtags: readonly HashtagEntry[],
    private readonly indexOf: (key: string) => number | undefined,
    private readonly recentUses: RecentUses,
    private readonly centroids: CentroidIndex,
    private readonly classifier: StreamClassifier,
    /** The blend's weights, learning from the stream. */
    private readonly blend: OnlineBlend,
    private readonly blocklist: ReadonlySet<string>,
    /** The coverage at which the model keeps its whole weight (0: always). */
    private readonly fullWeightCoverage: number,
  ) {
    this.seen = new Int32Array(hashtags.length);
    this.votesAt = new Float64Array(hashtags.length);
    this.burstAt = new Float64Array(hashtags.length);
  }

  /**
   * The model's best (`extra` more, for hashtags already in the draft), the trending ones, the
   * neighbours' picks, and the hashtags most used with those in the draft.
   */
  forDraft(evidence: Evidence, extra: number): Candidates {
    const { probabilities } = evidence.scored;
    const { snapshot, votes } = evidence;
    const trend = this.trendFeaturesOf(snapshot);
    const stamp = this.nextStamp();
    const best = topK(probabilities, Math.min(MODEL_CANDIDATES + extra, probabilities.length));
    const together = evidence.cooccurrence.size > 0 ? topKeys(evidence.cooccurrence, COOCCURRENCE_CANDIDATES) : [];
    const candidates = new CandidateList(best.length + snapshot.entries.length + NEIGHBOUR_CANDIDATES + together.length);
    for (const index of best) {
      this.seen[index] = stamp;
      candidates.push(this.hashtags[index]!.key, index, trend.entryOf[index]!);
    }
    snapshot.entries.forEach((entry, at) => {
      const index = trend.modelIndex[at]!;
      if (index >= 0) {
        if (this.seen[index] === stamp) return;
        this.seen[index] = stamp;
      }
      candidates.push(entry.key, index, at);
    });
    // Keys the model lacks that the neighbours' votes brought in, when co-occurrence may bring them again.
    const voted = together.length > 0 ? new Set<string>() : undefined;
    const pushUnseen = (key: string): void => {
      const index = this.indexOf(key) ?? -1;
      if (index >= 0) {
        if (this.seen[index] === stamp) return;
        this.seen[index] = stamp;
      } else if (snapshot.byKey.has(key) || voted?.has(key)) return; // a trending one, or voted for, already in
      else voted?.add(key);
      candidates.push(key, index, -1);
    };
    for (const key of topKeys(votes, NEIGHBOUR_CANDIDATES)) pushUnseen(key);
    for (const key of together) pushUnseen(key);
    return candidates.done();
  }

  /** Given keys (distinct) as candidates. */
  forKeys(keys: Iterable<string>, evidence: Evidence): Candidates {
    const trend = this.trendFeaturesOf(evidence.snapshot);
    const distinct = [...keys];
    const candidates = new CandidateList(distinct.length);
    for (const key of distinct) {
      const index = this.indexOf(key) ?? -1;
      candidates.push(key, index, index >= 0 ? trend.entryOf[index]! : -1);
    }
    return candidates.done();
  }

  /** The best `k` candidates, scored by the softmax of their logits over all of them. */
  rank(candidates: Candidates, evidence: Evidence, excluded: ReadonlySet<string>, k: number): Ranked[] {
    if (k < 1) return [];
    return this.textFit(evidence, (fit) => this.rankWith(fit, candidates, evidence, excluded, k));
  }

  /**
   * The best `k` candidates by their trending uses alone, for a completion whose draft has no
   * words (`evidence.known` must hold the store's entries for the prefix, at least `k` of them): by time-decayed uses (log-weight, so that uses hours old keep their order, where the
   * trend's floor would tie them), then those nobody has used by the model's probability, then by
   * key. Scored and explained as the blend {@link COMPLETION_WITHOUT_WORDS} (the trend alone)
   * scores them.
   */
  rankByTrend(candidates: Candidates, evidence: Evidence, excluded: ReadonlySet<string>, k: number): Ranked[] {
    if (k < 1) return [];
    const { snapshot, known, scored } = evidence;
    return this.textFit(evidence, (fit) => {
      const count = this.fillFeatures(fit, candidates, evidence, excluded);
      const rows = Array.from({ length: count }, (_, r) => {
        const key = candidates.keys[this.rowOf[r]!]!;
        const index = candidates.modelIndex[this.rowOf[r]!]!;
        const entry = snapshot.byKey.get(key) ?? known.get(key);
        const logit = logitOfFeatures(0, this.rows[r * WIDTH + TREND]!, 0, 0, 0, 0, 0, 0, COMPLETION_WITHOUT_WORDS);
        return { key, logit, logWeight: entry?.logWeight ?? -Infinity, model: index >= 0 ? scored.probabilities[index]! : 0 };
      });
      const max = Math.max(...rows.map((row) => row.logit));
      const sum = rows.reduce((total, row) => total + Math.exp(row.logit - max), 0);
      rows.sort((a, b) => b.logWeight - a.logWeight || b.model - a.model || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      return rows.slice(0, k).map(({ key, logit }) => ({ key, logit, weights: { ...COMPLETION_WITHOUT_WORDS }, signals: this.signals(key, evidence, fit), score: Math.exp(logit - max) / sum }));
    });
  }

  /** Calls `read` with the draft's centroid cosines and classifier scores at hand (valid only during `read`). */
  private textFit<T>(evidence: Evidence, read: (fit: TextFit) => T): T {
    return this.centroids.cosines(evidence.terms, (cosines) => this.classifier.scores(evidence.terms, (scores) => read({ cosines, scores })));
  }

  /** {@link rank}, with the draft's text fit at hand. */
  private rankWith(fit: TextFit, candidates: Candidates, evidence: Evidence, excluded: ReadonlySet<string>, k: number): Ranked[] {
    const weights = this.weightsFor(this.trendFeaturesOf(evidence.snapshot));
    const count = this.fillFeatures(fit, candidates, evidence, excluded);
    const { rows, rowOf } = this;
    const { keys } = candidates;
    // The best k so far, best first (k is small; candidates are a few hundred).
    const best: { key: string; logit: number }[] = [];
    if (this.logits.length < count) this.logits = new Float64Array(2 * count);
    const logits = this.logits;
    let max = -Infinity;
    for (let r = 0, at = 0; r < count; r++, at += WIDTH) {
      const key = keys[rowOf[r]!]!;
      const value = logitOfFeatures(rows[at + MODEL]!, rows[at + TREND]!, rows[at + NEIGHBOURS]!, rows[at + BURST]!, rows[at + USES]!, rows[at + CENTROID]!, rows[at + CLASSIFIER]!, rows[at + COOCCURRENCE]!, weights);
      logits[r] = value;
      if (value > max) max = value;
      if (best.length === k && !outranks(value, key, best[k - 1]!)) continue;
      let place = best.length;
      while (place > 0 && outranks(value, key, best[place - 1]!)) place -= 1;
      best.splice(place, 0, { key, logit: value });
      if (best.length > k) best.pop();
    }
    let sum = 0;
    for (let r = 0; r < count; r++) sum += Math.exp(logits[r]! - max);
    return best.map(({ key, logit }) => ({ key, logit, weights, signals: this.signals(key, evidence, fit), score: Math.exp(logit - max) / sum }));
  }

  /**
   * What a tweet whose hashtags are known teaches the blend ({@link OnlineBlend.learn}): the
   * features of its draft's candidates, and which of them are its hashtags. `evidence`, and the
   * indexes the ranker reads, must stand as they did before the tweet was ingested.
   */
  lesson(evidence: Evidence, hashtags: ReadonlySet<string>): Lesson {
    const candidates = this.forDraft(evidence, 0);
    const { modelCoverage } = this.trendFeaturesOf(evidence.snapshot);
    // The model's feature carries its coverage scaling, so the step is on its whole weight.
    const modelScale = modelScaleOf(this.blend.weights, modelCoverage, this.fullWeightCoverage);
    const count = this.textFit(evidence, (fit) => this.fillFeatures(fit, candidates, evidence, NONE));
    const features = this.rows.slice(0, count * WIDTH);
    const isTruth = new Uint8Array(count);
    for (let r = 0; r < count; r++) {
      features[r * WIDTH + MODEL] = features[r * WIDTH + MODEL]! * modelScale;
      isTruth[r] = hashtags.has(candidates.keys[this.rowOf[r]!]!) ? 1 : 0;
    }
    return { features, isTruth, count };
  }

  /**
   * Each candidate's features (`SIGNALS` order) into `rows`, and its place among `candidates` into
   * `rowOf`, leaving out excluded and blocked ones; returns how many rows.
   */
  private fillFeatures(fit: TextFit, candidates: Candidates, evidence: Evidence, excluded: ReadonlySet<string>): number {
    const { scored, snapshot, known, votes, cooccurrence } = evidence;
    const { cosines, scores } = fit;
    const { probabilities } = scored;
    const trend = this.trendFeaturesOf(snapshot);
    const noTrend = feature.trend(0);
    const noCooccurrence = feature.cooccurrence(0);
    const noVotes = feature.neighbours(0);
    const burstAt = this.burstFeatures();
    // The model hashtags' votes, read by index below (others by key).
    const votesAt = this.votesAt;
    const voted: number[] = [];
    for (const [key, share] of votes) {
      const index = this.indexOf(key);
      if (index === undefined) continue;
      votesAt[index] = share;
      voted.push(index);
    }
    const screen = excluded.size > 0 || this.blocklist.size > 0;
    if (this.rowOf.length < candidates.keys.length) {
      this.rowOf = new Int32Array(2 * candidates.keys.length);
      this.rows = new Float64Array(2 * candidates.keys.length * WIDTH);
    }
    const { rows, rowOf } = this;
    let count = 0;
    for (let n = 0; n < candidates.keys.length; n++) {
      const key = candidates.keys[n]!;
      if (screen && (excluded.has(key) || this.blocklist.has(key))) continue;
      const index = candidates.modelIndex[n]!;
      const at = candidates.trendAt[n]!;
      let trendFeature = noTrend;
      let usesFeature = 0;
      if (at >= 0) {
        trendFeature = trend.trend[at]!;
        usesFeature = trend.uses[at]!;
      } else {
        const entry = (index < 0 ? snapshot.byKey.get(key) : undefined) ?? (known.size > 0 ? known.get(key) : undefined);
        if (entry !== undefined) {
          trendFeature = feature.trend(trendShare(entry, snapshot));
          usesFeature = feature.uses(entry.count);
        }
      }
      const row = count * WIDTH;
      if (index >= 0) {
        rows[row + MODEL] = feature.model(probabilities[index]!);
        const share = votesAt[index]!;
        rows[row + NEIGHBOURS] = share > 0 ? feature.neighbours(share) : noVotes;
        rows[row + BURST] = burstAt[index]!;
      } else {
        rows[row + MODEL] = feature.model(0);
        rows[row + NEIGHBOURS] = feature.neighbours(votes.get(key) ?? 0);
        rows[row + BURST] = feature.burst(this.recentUses.count(key));
      }
      rows[row + TREND] = trendFeature;
      rows[row + USES] = usesFeature;
      rows[row + CENTROID] = feature.centroid(index >= 0 ? cosines.at(index) : cosines.of(key));
      rows[row + CLASSIFIER] = feature.classifier(index >= 0 ? scores.at(index) : scores.of(key));
      rows[row + COOCCURRENCE] = cooccurrence.size > 0 ? feature.cooccurrence(cooccurrence.get(key) ?? 0) : noCooccurrence;
      rowOf[count++] = n;
    }
    for (const index of voted) votesAt[index] = 0;
    return count;
  }

  /** The model's coverage of the trends: the share of the snapshot's uses that goes to hashtags it knows. */
  modelCoverage({ snapshot }: Evidence): number {
    return this.trendFeaturesOf(snapshot).modelCoverage;
  }

  /** Candidates' signals for this draft, read by key (for bench/blend.ts). */
  signalsOf(keys: readonly string[], evidence: Evidence): ({ key: string } & Signals)[] {
    return this.textFit(evidence, (fit) => keys.map((key) => ({ key, ...this.signals(key, evidence, fit) })));
  }

  /** A candidate's signals for this draft, read by key (for the few shown). */
  private signals(key: string, { scored, snapshot, known, votes, cooccurrence }: Evidence, { cosines, scores }: TextFit): Signals {
    const index = this.indexOf(key);
    const entry = snapshot.byKey.get(key) ?? known.get(key);
    return {
      model: index === undefined ? 0 : scored.probabilities[index]!,
      trend: entry === undefined ? 0 : trendShare(entry, snapshot),
      neighbours: votes.get(key) ?? 0,
      burst: this.recentUses.count(key),
      uses: entry?.count ?? 0,
      centroid: cosines.of(key),
      classifier: scores.of(key),
      cooccurrence: cooccurrence.get(key) ?? 0,
    };
  }

  /** The burst feature of each model hashtag, brought up to date with `recentUses`. */
  private burstFeatures(): Float64Array {
    if (this.burstVersion !== this.recentUses.version) {
      for (const index of this.burstIndices) this.burstAt[index] = 0;
      this.burstIndices = [];
      for (const [key, count] of this.recentUses.entries()) {
        const index = this.indexOf(key);
        if (index === undefined) continue;
        this.burstAt[index] = feature.burst(count);
        this.burstIndices.push(index);
      }
      this.burstVersion = this.recentUses.version;
    }
    return this.burstAt;
  }

  private trendFeaturesOf(snapshot: TrendSnapshot): TrendFeatures {
    let cached = this.trendFeatures.get(snapshot);
    if (cached) return cached;
    const { entries } = snapshot;
    cached = {
      entryOf: new Int32Array(this.hashtags.length).fill(-1),
      modelIndex: new Int32Array(entries.length),
      trend: new Float64Array(entries.length),
      uses: new Float64Array(entries.length),
      modelCoverage: 1,
      scaled: undefined,
    };
    let share = 0;
    let knownShare = 0;
    for (const [at, entry] of entries.entries()) {
      const index = this.indexOf(entry.key) ?? -1;
      const entryShare = trendShare(entry, snapshot);
      // A blocked hashtag can be in the store (ingested before the blocklist, or by another server of a shared Redis): it is never suggested, and does not count.
      const counted = this.blocklist.size === 0 || !this.blocklist.has(entry.key);
      if (counted) share += entryShare;
      if (index >= 0) {
        cached.entryOf[index] = at;
        if (counted) knownShare += entryShare;
      }
      cached.modelIndex[at] = index;
      cached.trend[at] = feature.trend(entryShare);
      cached.uses[at] = feature.uses(entry.count);
    }
    if (share > 0 && Number.isFinite(share)) cached.modelCoverage = knownShare / share;
    this.trendFeatures.set(snapshot, cached);
    return cached;
  }

  /** The blend's weights now, the model's scaled by its coverage of the snapshot's trends ({@link weightsAtCoverage}). */
  private weightsFor(trend: TrendFeatures): BlendWeights {
    const base = this.blend.weights;
    if (trend.scaled?.base !== base) trend.scaled = { base, weights: weightsAtCoverage(base, trend.modelCoverage, this.fullWeightCoverage) };
    return trend.scaled.weights;
  }

  private nextStamp(): number {
    if (this.stamp === 0x7fffffff) {
      this.seen.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }
}

/** How the draft's words fit each hashtag's recent tweets: centroid cosines and the stream classifier's scores. */
interface TextFit {
  cosines: CentroidCosines;
  scores: ClassifierScores;
}

/** Its share of all recent, time-decayed uses. */
function trendShare(entry: TrendEntry, snapshot: TrendSnapshot): number {
  return 2 ** (entry.logWeight - snapshot.totalLogWeight);
}

/**
 * {@link Candidates} being gathered, in arrays sized once for the most there can be: grown push by
 * push, they were half of what ranking a draft allocated (bench/README.md "Speed and load").
 */
class CandidateList {
  private readonly keys: string[];
  private readonly modelIndex: number[];
  private readonly trendAt: number[];
  private size = 0;

  constructor(capacity: number) {
    this.keys = new Array<string>(capacity);
    this.modelIndex = new Array<number>(capacity);
    this.trendAt = new Array<number>(capacity);
  }

  push(key: string, index: number, trendAt: number): void {
    const at = this.size++;
    this.keys[at] = key;
    this.modelIndex[at] = index;
    this.trendAt[at] = trendAt;
  }

  /** The candidates pushed (the list is not to be used after). */
  done(): Candidates {
    this.keys.length = this.modelIndex.length = this.trendAt.length = this.size;
    return { keys: this.keys, modelIndex: this.modelIndex, trendAt: this.trendAt };
  }
}

/** Higher logit first; ties by key, so the order does not depend on the candidates' order. */
function outranks(value: number, key: string, other: { key: string; logit: number }): boolean {
  return value > other.logit || (value === other.logit && key < other.key);
}
