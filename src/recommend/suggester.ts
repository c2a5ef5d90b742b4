import { HashtagRecError, invalidArgument } from "../core/errors.js";
import { allSettled, InFlight } from "../core/in-flight.js";
import { hashtagKey } from "../data/hashtags.js";
import { termCounts } from "../data/terms.js";
import { HOUR_MS, decayedCount } from "../trending/decay.js";
import { MAX_AHEAD_MS, toIngestTweets, type IncomingTweet } from "../trending/incoming.js";
import type { IngestOptions, IngestResult, IngestTweet, StoredRecentTweet, TrendEntry, TrendingStore } from "../trending/store.js";
import { RecentUses } from "../trending/recent-uses.js";
import { DescriptionCache } from "../trending/description-cache.js";
import { TrendCache, type TrendSnapshot } from "../trending/trend-cache.js";
import { DynamicBatcher, type BatcherOptions } from "./batcher.js";
import { checkWeights, DEFAULT_BLEND, explainScore, FULL_WEIGHT_COVERAGE, type BlendWeights, type ScoreParts, type Signals } from "./blend.js";
import { CandidateRanker, type Evidence, type Ranked } from "./candidate-ranker.js";
import { NeighbourIndex } from "../retrieval/neighbour-index.js";
import { CentroidIndex } from "../retrieval/centroid-index.js";
import { StreamClassifier } from "../retrieval/stream-classifier.js";
import { CooccurrenceIndex, DEFAULT_COOCCURRENCE_HALF_LIFE_HOURS } from "../retrieval/cooccurrence-index.js";
import { DEFAULT_BLEND_LEARNING_RATE, OnlineBlend, type Lesson } from "./online-blend.js";
import { PrefixIndex } from "./prefix-index.js";
import { SharedBlend } from "./shared-blend.js";
import type { Draft, Recommender, ScoredDraft } from "./recommender.js";

/** A suggestion of the product: the model's fit blended with what is trending now and what look-alike recent tweets used. */
export interface ProductSuggestion {
  /** Display casing, without `#`. */
  hashtag: string;
  key: string;
  /** Its probability among the draft's candidates: the softmax of their log-linear blends ({@link BlendWeights}). */
  score: number;
  /** Uses ingested into the trending store, or, for a hashtag it has not seen, uses in the model's training data. */
  count: number;
  trend: {
    /** Decayed uses now (each use halves per half-life of age). */
    score: number;
    /** Uses per hour over the last `seriesHours` hours, oldest first. */
    series: number[];
  };
  /** The signals behind the score, when asked for. */
  explain?: Explanation;
}

/** A suggestion's signals, their weighted parts and its logit, with the blend and the model coverage that set its weights. */
export interface Explanation extends ScoreParts {
  /** The share of the trending uses that goes to hashtags the model knows (see {@link FULL_WEIGHT_COVERAGE}). */
  model_coverage: number;
  /** The weights of the contributions: the blend's as learned so far, the model's scaled by its coverage. */
  weights: BlendWeights;
}

export interface SuggestRequest {
  text: string;
  /** Suggestions wanted (default 5). */
  k?: number;
  /** The caret's character position (default: the end). After `#ma` it completes that prefix. */
  cursor?: number;
  explain?: boolean;
}

export interface CompleteOptions {
  /** Suggestions wanted (default 5). */
  k?: number;
  /** The draft around the partial hashtag, for the model's fit (default none). */
  text?: string;
  /** Where in `text` the hashtag goes (default: the end). */
  maskAt?: number;
  explain?: boolean;
}

export interface SuggestResult {
  suggestions: ProductSuggestion[];
  /** Set when the caret is at the end of a partial hashtag: the prefix and the span it occupies. */
  completing?: { prefix: string; start: number; end: number };
}

export interface SuggesterOptions {
  /** The blend's weights to start from (default {@link DEFAULT_BLEND}); they learn from the stream unless `blendLearningRate` is 0. */
  weights?: BlendWeights;
  /**
   * The model's coverage of the trending uses (the share that goes to hashtags it knows) at and
   * above which it keeps its whole weight; below, its weight falls in proportion (default
   * {@link FULL_WEIGHT_COVERAGE}; 0 keeps it whatever the coverage).
   */
  fullWeightCoverage?: number;
  /** Keys never suggested and never counted. */
  blocklist?: ReadonlySet<string>;
  /**
   * `wall`: now is the clock; `data`: now is the latest tweet ingested (to replay old data). Either
   * way `ingest` refuses tweets dated more than `MAX_AHEAD_MS` past the wall clock (`now`), and
   * dates those without a time by it; `ingestUses` (the evaluation's replay) takes times as given.
   */
  clock?: "wall" | "data";
  /** Injected wall clock (tests). */
  now?: () => number;
  /** Hours of the sparkline series (default 24). */
  seriesHours?: number;
  /** Trending hashtags kept in memory and considered for every draft (default 200). */
  trendCandidates?: number;
  /**
   * How stale the in-memory trend snapshot, neighbour index and suggested hashtags' casing, counts,
   * trend scores and sparklines may be when another process ingests (a shared Redis; default 1000
   * ms). Local ingests refresh them at once.
   */
  trendMaxAgeMs?: number;
  /** Tweets the burst signal looks back over (default 50). */
  recentTweets?: number;
  /** A look-alike tweet's vote halves per this many hours of age (default 2). */
  neighbourHalfLifeHours?: number;
  /** A tweet's part in which hashtags are used together halves per this many hours of age (default {@link DEFAULT_COOCCURRENCE_HALF_LIFE_HOURS}). */
  cooccurrenceHalfLifeHours?: number;
  /** Dynamic batching of model runs; `false` runs each draft alone. */
  batching?: BatcherOptions | false;
  /**
   * How fast the blend's weights learn from the tweets ingested ({@link OnlineBlend}; default
   * {@link DEFAULT_BLEND_LEARNING_RATE}; 0 keeps `weights` as given).
   */
  blendLearningRate?: number;
  /**
   * Told when the blend fails to learn from an ingest or to read what other processes learned,
   * for a reason other than the store being down (which ingests and `/readyz` already report):
   * the model erring on a lesson, a store that refuses the blend's value. The ingest goes on
   * either way. Default: nothing is told.
   */
  onLearningError?: (error: unknown) => void;
}

const PREFIX_CANDIDATES = 1000;
/** An ingest batch teaches the blend with at most this many tweets, its earliest ({@link Suggester.ingestUses}). */
const MAX_LESSONS_PER_BATCH = 32;
/** …and only with those this close to its earliest, so that the store before the batch is the stream before them. */
const LESSON_SPAN_MS = 5 * 60_000;
/** A partial hashtag right before the caret (`#ma`), by Twitter's rule that `#` follows a non-word character. */
const PARTIAL_HASHTAG = /(?:^|[^\p{L}\p{M}\p{N}_&])([#＃])([\p{L}\p{M}\p{N}_\u200c\u200d]*)$/u;
export const MAX_K = 100;
/** Chosen with bench/blend.ts on the validation days (bench/README.md "Choosing the blend"). */
export const DEFAULT_NEIGHBOUR_HALF_LIFE_HOURS = 2;
const EMPTY_SNAPSHOT: TrendSnapshot = Object.freeze({ entries: [], byKey: new Map(), totalLogWeight: -Infinity, takenAt: 0 });
/** The co-occurrence shares of a draft without hashtags. */
const NO_COOCCURRENCE: ReadonlyMap<string, number> = new Map();

/**
 * The product's ranking: for a draft, the model's probabilities (through a dynamic batcher) are
 * blended, log-linearly ({@link BlendWeights}), with the trending store's decayed counts, the votes
 * of recent look-alike tweets (a {@link NeighbourIndex} kept in step with the store), the burst in
 * the last tweets ingested ({@link RecentUses}), and the draft's fit with what each hashtag's
 * tweets of the last two days said (a {@link CentroidIndex}, kept in step likewise), and the
 * scores of a classifier trained online on those tweets ({@link StreamClassifier}), and, for a
 * draft that holds hashtags already, how often recent tweets used each hashtag with them
 * ({@link CooccurrenceIndex}). The model's
 * weight falls when few of the hashtags in use are ones it knows ({@link FULL_WEIGHT_COVERAGE}).
 * The blend's weights learn from the tweets ingested ({@link OnlineBlend}); they are kept in the
 * store, which every process on it learns into ({@link SharedBlend}). Hashtags already in the
 * draft and blocked ones are left out; after `#ma` at the caret, only hashtags with that prefix
 * compete.
 *
 * @example
 * ```ts
 * const store = SqliteTrendingStore.open("trends.db", { halfLifeHours: 1 });
 * const suggester = new Suggester(await Recommender.load("models/default"), store);
 * await suggester.ingest([{ text: "Dawn service #AnzacDay", time: Date.now() }]);
 * await suggester.suggest({ text: "Lest we forget", k: 3, explain: true });
 * // { suggestions: [{ hashtag: "AnzacDay", key: "anzacday", score: 0.41, count: 1, trend: { score: 1, series: [...] }, explain: {...} }, …] }
 * ```
 */
export class Suggester {
  private readonly blend: OnlineBlend;
  /** The blend's state in the store, shared with the other processes on it. */
  private readonly sharedBlend: SharedBlend;
  /** The model's coverage of the trending uses at which it keeps its whole weight (see {@link SuggesterOptions}). */
  readonly fullWeightCoverage: number;
  private readonly blocklist: ReadonlySet<string>;
  private readonly ranker: CandidateRanker;
  private readonly inFlight = new InFlight("the suggester");
  private closing: Promise<void> | undefined;
  private readonly trends: TrendCache;
  private readonly descriptions: DescriptionCache;
  private readonly modelKeys: PrefixIndex;
  private readonly batcher: DynamicBatcher<Draft, ScoredDraft> | undefined;
  private readonly wallClock: () => number;
  private readonly seriesHours: number;
  private latestIngested: number | undefined;
  private readonly neighbours: NeighbourIndex;
  private readonly centroids: CentroidIndex;
  private readonly classifier: StreamClassifier;
  private readonly cooccurrences: CooccurrenceIndex;
  private readonly recentMaxAgeMs: number;
  private readonly recentUses: RecentUses;
  private recentCursor: string | undefined;
  private recentSync: Promise<void> | undefined;
  private recentStale = true;
  private recentSyncedAt = -Infinity;
  /**
   * The last query {@link rankCleanQuery} ranked, with its evidence, until the next ingest: when
   * that tweet is ingested next (`eval --online`), it teaches the blend without a second model run.
   */
  private lastRanked: { query: string; time: number; evidence: Evidence } | undefined;
  /** Counts each ingest's store write as it begins and as it ends (odd while one is under way). */
  private storeWrites = 0;
  /** The last learning failure told, and when (`performance.now()`), so that a repeat within a minute is not. */
  private lastLearningError: { message: string; at: number } | undefined;
  /** The ingest under way, if any: the next one waits for it. */
  private ingesting: Promise<unknown> = Promise.resolve();

  constructor(
    readonly recommender: Recommender,
    readonly store: TrendingStore,
    private readonly options: SuggesterOptions = {},
  ) {
    this.blend = new OnlineBlend(checkWeights({ ...(options.weights ?? DEFAULT_BLEND) }), { learningRate: options.blendLearningRate ?? DEFAULT_BLEND_LEARNING_RATE });
    this.sharedBlend = new SharedBlend(this.blend, store, recommender.model.fingerprint);
    this.blocklist = options.blocklist ?? new Set();
    this.trends = new TrendCache(store, { size: options.trendCandidates ?? 200, maxAgeMs: options.trendMaxAgeMs ?? 1000 });
    this.descriptions = new DescriptionCache(store, { maxAgeMs: options.trendMaxAgeMs ?? 1000 });
    const modelKeys = recommender.hashtags.map((h) => h.key);
    this.modelKeys = new PrefixIndex(modelKeys);
    this.batcher = options.batching === false ? undefined : new DynamicBatcher((drafts) => recommender.score(drafts), options.batching ?? {});
    this.wallClock = options.now ?? Date.now;
    this.seriesHours = options.seriesHours ?? 24;
    this.neighbours = new NeighbourIndex({ halfLifeHours: options.neighbourHalfLifeHours ?? DEFAULT_NEIGHBOUR_HALF_LIFE_HOURS });
    this.cooccurrences = new CooccurrenceIndex({ halfLifeHours: options.cooccurrenceHalfLifeHours ?? DEFAULT_COOCCURRENCE_HALF_LIFE_HOURS });
    this.centroids = new CentroidIndex({ indexedKeys: modelKeys });
    this.classifier = new StreamClassifier({ indexedKeys: modelKeys });
    this.recentMaxAgeMs = options.trendMaxAgeMs ?? 1000;
    this.recentUses = new RecentUses(options.recentTweets);
    this.fullWeightCoverage = options.fullWeightCoverage ?? FULL_WEIGHT_COVERAGE;
    if (!(this.fullWeightCoverage >= 0 && this.fullWeightCoverage <= 1)) {
      throw invalidArgument(`fullWeightCoverage must be from 0 to 1, got '${this.fullWeightCoverage}'`);
    }
    this.ranker = new CandidateRanker(recommender.hashtags, (key) => recommender.indexOf(key), this.recentUses, this.centroids, this.classifier, this.blend, this.blocklist, this.fullWeightCoverage);
  }

  /**
   * The blend's weights as this process holds them: those given, moved by what the tweets
   * ingested taught it and the other processes on the store ({@link SharedBlend}; taken up when
   * it last read the store: {@link learnedBlend} reads it first).
   */
  get weights(): Readonly<BlendWeights> {
    return this.blend.weights;
  }

  /** Tweets the blend has learned from, as this process holds it (see {@link weights}). */
  get blendLessons(): number {
    return this.blend.learned;
  }

  /** The blend's learning rate (0: its weights stay as given). */
  get blendLearningRate(): number {
    return this.blend.learningRate;
  }

  /**
   * The blend as learned by every process on the store: read from the store, then taken up (while
   * the store is down, or when this process learned meanwhile, as this process holds it): its
   * weights and the tweets they learned from.
   */
  async learnedBlend(): Promise<{ weights: Readonly<BlendWeights>; lessons: number }> {
    return this.inFlight.run(async () => {
      await this.orWhenDown(this.sharedBlend.refresh(), () => undefined);
      return { weights: this.blend.weights, lessons: this.blend.learned };
    });
  }

  /** Model runs and the drafts in them, when batching. */
  get batchStats(): { batches: number; items: number } | undefined {
    return this.batcher?.stats;
  }

  async suggest(request: SuggestRequest): Promise<SuggestResult> {
    return this.inFlight.run(async () => {
      const { text } = request;
      const k = checkK(request.k ?? 5);
      const cursor = request.cursor ?? text.length;
      if (!Number.isInteger(cursor) || cursor < 0 || cursor > text.length) {
        throw invalidArgument(`cursor must be an integer from 0 to ${text.length} (the text's length), got '${cursor}'`);
      }
      const partial = PARTIAL_HASHTAG.exec(text.slice(0, cursor));
      if (partial && partial[2]!.length > 0) {
        const end = cursor;
        const start = end - partial[1]!.length - partial[2]!.length;
        const prefix = hashtagKey(partial[2]!);
        const context = text.slice(0, start) + text.slice(end);
        const suggestions = await this.completeNow(prefix, { k, text: context, maskAt: start, ...(request.explain ? { explain: true } : {}) });
        return { suggestions, completing: { prefix, start, end } };
      }
      const evidence = await this.gather({ text, maskAt: cursor === text.length ? undefined : cursor }, await this.now());
      const excluded = new Set(evidence.scored.present);
      const candidates = this.ranker.forDraft(evidence, excluded.size);
      return { suggestions: await this.describe(this.ranker.rank(candidates, evidence, excluded, k), evidence, request.explain ?? false) };
    });
  }

  /** Hashtags that start with `prefix`, ranked by fit with `text` (optional context) and trend. */
  async complete(prefix: string, options: CompleteOptions = {}): Promise<ProductSuggestion[]> {
    return this.inFlight.run(() => this.completeNow(prefix, options));
  }

  /**
   * Ingests tweets into the trending store (hashtags found by Twitter's rules; blocked ones
   * skipped). A hashtag the model has never seen becomes a candidate at once.
   */
  async ingest(tweets: readonly IncomingTweet[], options: IngestOptions = {}): Promise<IngestResult> {
    return this.ingestUses(toIngestTweets(tweets, { now: this.wallClock(), blocklist: this.blocklist }), options);
  }

  /**
   * Ingests hashtag uses that are already extracted (the evaluation harness's examples). What the
   * batch's earliest tweets teach the blend ({@link lessonsOf}) is read first, while the store and
   * the indexes still stand as they did before them, and learned once the store has taken the
   * whole batch.
   */
  async ingestUses(batch: readonly IngestTweet[], options: IngestOptions = {}): Promise<IngestResult> {
    return this.inFlight.run(() =>
      this.oneIngestAtATime(async () => {
        const latest = await this.latestKnown();
        // A lesson that fails (the model erring) is skipped: the ingest matters more.
        const lessons = await this.lessonsOf(batch, latest).catch((error: unknown) => {
          this.learningFailed(error);
          return [];
        });
        this.storeWrites++;
        this.lastRanked = undefined;
        try {
          const result = await this.store.ingest(batch, options);
          // Learned only from a batch taken whole; a store that fails here fails the learning, not the ingest.
          if (result.tweets === batch.length) await this.sharedBlend.learn(lessons).catch((error: unknown) => this.learningFailed(error));
          for (const tweet of batch) this.latestIngested = Math.max(this.latestIngested ?? -Infinity, tweet.time);
          this.trends.invalidate();
          this.descriptions.invalidate();
          this.recentStale = true;
          return result;
        } finally {
          this.storeWrites++;
        }
      }),
    );
  }

  /** Keys only, best first, for a query that is already cleaned, asked at `time` (`eval --online --model`). */
  async rankCleanQuery(query: string, k: number, time: number): Promise<string[]> {
    return this.inFlight.run(async () => {
      const writes = this.storeWrites;
      const evidence = await this.gather({ text: query, cleaned: true }, time);
      // Kept for the lesson only when no ingest began or ended meanwhile: then it is the store as it stands.
      if (writes === this.storeWrites && writes % 2 === 0) this.lastRanked = { query, time, evidence };
      return this.ranker.rank(this.ranker.forDraft(evidence, 0), evidence, new Set(), k).map((c) => c.key);
    });
  }

  /**
   * Every candidate of a cleaned query with its signals, unranked, and the model's coverage of the
   * trends (which scales its weight: `weightsAtCoverage` in blend.ts): what `bench/blend.ts`
   * records once to fit the weights with which {@link rankCleanQuery} then ranks. `typed`: hashtags
   * the draft holds after the query (`bench/cooccurrence.ts`), read as `suggest` reads them in
   * `query #Typed `; they are no candidates.
   */
  async candidateSignals(query: string, time: number, typed: readonly string[] = []): Promise<{ modelCoverage: number; candidates: ({ key: string } & Signals)[] }> {
    return this.inFlight.run(async () => {
      const draft = typed.length > 0 ? { text: `${query} ${typed.map((display) => `#${display}`).join(" ")} ` } : { text: query, cleaned: true };
      const evidence = await this.gather(draft, time);
      const present = evidence.scored.present;
      const keys = this.ranker.forDraft(evidence, present.length).keys.filter((key) => !present.includes(key));
      return { modelCoverage: this.ranker.modelCoverage(evidence), candidates: this.ranker.signalsOf(keys, evidence) };
    });
  }

  /**
   * Reads the store's recent tweets into its indexes now (a second or two
   * for 48 hours of a busy stream) rather than during the first draft; `serve` calls it before
   * it listens.
   */
  async warm(): Promise<void> {
    return this.inFlight.run(() => this.syncRecentTweets());
  }

  /** What "now" is: the wall clock, or with `clock: "data"` the latest tweet ingested. */
  async now(): Promise<number> {
    if (this.options.clock !== "data") return this.wallClock();
    return (await this.latestKnown()) ?? this.wallClock();
  }

  /**
   * Refuses new calls (`SHUTTING_DOWN`), waits for those under way (a draft queued for the model,
   * a store read), then releases the model and the store. Calling it again waits for the same.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.inFlight.close();
      await this.recommender.close();
      await this.store.close();
    })();
    return this.closing;
  }

  private async completeNow(prefix: string, options: CompleteOptions): Promise<ProductSuggestion[]> {
    const k = checkK(options.k ?? 5);
    const key = hashtagKey(prefix);
    const text = options.text ?? "";
    const maskAt = options.maskAt !== undefined && options.maskAt < text.length ? options.maskAt : undefined;
    const [evidence, stored] = await allSettled<[Evidence, TrendEntry[]]>([
      this.now().then((now) => this.gather({ text, maskAt }, now)),
      // At least k: the ranking by trend knows the decayed uses of every stored key it may show.
      this.orWhenDown(this.store.withPrefix(key, Math.max(50, k)), () => []),
    ]);
    for (const entry of stored) evidence.known.set(entry.key, entry);
    const keys = new Set<string>([...this.modelKeys.find(key, PREFIX_CANDIDATES), ...stored.map((e) => e.key)]);
    for (const neighbour of evidence.votes.keys()) if (neighbour.startsWith(key)) keys.add(neighbour);
    for (const together of evidence.cooccurrence.keys()) if (together.startsWith(key)) keys.add(together);
    const candidates = this.ranker.forKeys(keys, evidence);
    const excluded = new Set(evidence.scored.present);
    // With no words and no hashtags in the draft there is nothing to fit: the trending uses rank
    // (COMPLETION_WITHOUT_WORDS in blend.ts), unless the blend leaves the trend out (`--weights model=1`).
    const byTrend = evidence.terms.size === 0 && excluded.size === 0 && this.blend.weights.trend !== 0;
    const best = byTrend ? this.ranker.rankByTrend(candidates, evidence, excluded, k) : this.ranker.rank(candidates, evidence, excluded, k);
    return this.describe(best, evidence, options.explain ?? false);
  }

  /**
   * What `batch` teaches the blend, one lesson per teaching tweet: a tweet with hashtags and words,
   * after the model's training data (a model scores the tweets it trained on too well, and a blend
   * taught there leans on it; a model that does not say when its data ends counts every tweet as
   * after), no older than `latest` (the newest tweet the store held before; a time more than a day
   * ahead of the clock does not count), and among the batch's {@link MAX_LESSONS_PER_BATCH}
   * earliest within {@link LESSON_SPAN_MS} of the first (a batch of `eval --online`'s training
   * tweets spans hours: for its later tweets the store would be out of date). Each is ranked as a
   * draft would have been just before it was posted.
   */
  private async lessonsOf(batch: readonly IngestTweet[], latest: number | undefined): Promise<Lesson[]> {
    if (!this.blend.learning) return [];
    const after = Math.max(this.recommender.model.trainedBefore ?? -Infinity, Math.min(latest ?? -Infinity, this.wallClock() + MAX_AHEAD_MS));
    const teaching = batch
      .filter((tweet) => tweet.time >= after && tweet.hashtags.length > 0 && tweet.query !== undefined && tweet.query.length > 0)
      .sort((a, b) => a.time - b.time)
      .slice(0, MAX_LESSONS_PER_BATCH);
    const taught = teaching.filter((tweet) => tweet.time - teaching[0]!.time <= LESSON_SPAN_MS);
    if (taught.length === 0) return [];
    const last = this.lastRanked;
    const evidenceOf = (tweet: IngestTweet) =>
      last !== undefined && last.query === tweet.query && last.time === tweet.time ? Promise.resolve(last.evidence) : this.gather({ text: tweet.query!, cleaned: true }, tweet.time);
    // Settled, all of them, before an error ends the call: a draft still queued for the model must not outlive it.
    const evidence = await allSettled<Evidence[]>(taught.map(evidenceOf));
    return taught.map((tweet, i) => this.ranker.lesson(evidence[i]!, new Set(tweet.hashtags.map((h) => h.key))));
  }

  /**
   * Tells `onLearningError` of a failure to learn, unless the store is down (reported elsewhere)
   * or the same message was told less than a minute ago (a refresh that keeps failing would tell
   * it every second). An error thrown by the callback itself is dropped: learning never fails an
   * ingest or a draft.
   */
  private learningFailed(error: unknown): void {
    if (error instanceof HashtagRecError && error.code === "STORE_UNAVAILABLE") return;
    const message = error instanceof Error ? error.message : String(error);
    const now = performance.now();
    if (this.lastLearningError?.message === message && now - this.lastLearningError.at < 60_000) return;
    this.lastLearningError = { message, at: now };
    try {
      this.options.onLearningError?.(error);
    } catch {
      // The reporter failing must not fail what it reports on.
    }
  }

  /** Runs `ingest` after the ingests before it have ended: each batch's lessons are read with the store as the batches before it left it. */
  private oneIngestAtATime<T>(ingest: () => Promise<T>): Promise<T> {
    const run = this.ingesting.then(ingest);
    this.ingesting = run.catch(() => undefined);
    return run;
  }

  /** The newest tweet's time in the store: read from it once, then kept up by this process's ingests (undefined while it is empty or down). */
  private async latestKnown(): Promise<number | undefined> {
    this.latestIngested ??= await this.orWhenDown(this.store.latestTime(), () => undefined);
    return this.latestIngested;
  }

  /** Everything the ranking needs for one draft: the model's view, the trends, its terms, the neighbours' votes. */
  private async gather(draft: Draft, now: number): Promise<Evidence> {
    const [scored, snapshot] = await allSettled<[ScoredDraft, TrendSnapshot, void]>([this.scoreDraft(draft), this.snapshot(), this.syncRecentTweets()]);
    const terms = termCounts(scored.query);
    const cooccurrence = scored.present.length > 0 ? this.cooccurrences.shares(scored.present) : NO_COOCCURRENCE;
    return { scored, terms, snapshot, known: new Map(), votes: this.neighbours.votes(terms, now), cooccurrence, now };
  }

  /**
   * Brings the neighbour, centroid and co-occurrence indexes, the stream classifier and the burst window up to date with the store's recent tweets
   * (this process's ingests and, with a shared Redis, everyone's), and the blend with the weights
   * learned by every process on the store: after a local ingest, or every second.
   */
  private syncRecentTweets(): Promise<void> {
    const fresh = !this.recentStale && performance.now() - this.recentSyncedAt < this.recentMaxAgeMs;
    if (fresh) return Promise.resolve();
    this.recentSync ??= (async () => {
      try {
        this.recentStale = false;
        const tweets: StoredRecentTweet[] = [];
        for (;;) {
          const page = await this.store.recentTweets(this.recentCursor, 5000);
          tweets.push(...page.tweets);
          this.recentCursor = page.cursor;
          if (page.tweets.length < 5000) break;
        }
        this.neighbours.addAll(tweets);
        this.centroids.addAll(tweets);
        this.classifier.addAll(tweets);
        this.cooccurrences.addAll(tweets);
        for (const tweet of tweets.slice(-this.recentUses.size)) this.recentUses.add(tweet.keys);
        this.recentSyncedAt = performance.now();
        await this.sharedBlend.refresh().catch((error: unknown) => this.learningFailed(error));
      } catch (error) {
        if (!(error instanceof HashtagRecError && error.code === "STORE_UNAVAILABLE")) throw error;
      } finally {
        this.recentSync = undefined;
      }
    })();
    return this.recentSync;
  }

  /** The trend snapshot, or an empty one while the store is down (suggestions then rest on the model). */
  private snapshot(): Promise<TrendSnapshot> {
    return this.orWhenDown(this.trends.snapshot(), () => EMPTY_SNAPSHOT);
  }

  /** `read`, or while the store is down, `fallback()` (called only then). */
  private async orWhenDown<T>(read: Promise<T>, fallback: () => T): Promise<T> {
    try {
      return await read;
    } catch (error) {
      if (error instanceof HashtagRecError && error.code === "STORE_UNAVAILABLE") return fallback();
      throw error;
    }
  }

  private scoreDraft(draft: Draft): Promise<ScoredDraft> {
    if (this.batcher) return this.batcher.submit(draft);
    return this.recommender.score([draft]).then((scored) => scored[0]!);
  }

  /** Display casing, counts and sparklines for the chosen few. */
  private async describe(best: readonly Ranked[], evidence: Evidence, explain: boolean): Promise<ProductSuggestion[]> {
    const { now } = evidence;
    const keys = best.map((c) => c.key);
    // While the store is down, what the cache still holds (else the model's count and no sparkline).
    const described = await this.orWhenDown(this.descriptions.describe(keys, now, this.seriesHours), () => this.descriptions.held(keys, now, this.seriesHours));
    const halfLifeMs = this.store.halfLifeHours * HOUR_MS;
    const modelCoverage = explain ? this.ranker.modelCoverage(evidence) : 1;
    return best.map(({ key, score, signals, weights }) => {
      const { entry, series } = described.get(key) ?? { entry: undefined, series: undefined };
      const modelEntry = this.recommender.hashtags[this.recommender.indexOf(key) ?? -1];
      return {
        hashtag: entry?.display ?? modelEntry?.display ?? key,
        key,
        score,
        count: entry?.count ?? modelEntry?.count ?? 0,
        trend: {
          score: entry === undefined ? 0 : decayedCount(entry.logWeight, now, halfLifeMs),
          // A copy: the cached series is shared by every suggestion of the next second.
          series: series?.slice() ?? new Array<number>(this.seriesHours).fill(0),
        },
        ...(explain ? { explain: { ...explainScore(signals, weights), model_coverage: modelCoverage, weights: { ...weights } } } : {}),
      };
    });
  }
}

function checkK(k: number): number {
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw invalidArgument(`k must be an integer from 1 to ${MAX_K}, got '${k}'`);
  return k;
}
