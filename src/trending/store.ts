import { invalidArgument } from "../core/errors.js";

/** One hashtag of an ingested tweet. */
export interface HashtagUse {
  key: string;
  /** The casing the author used, without `#`. */
  display: string;
}

/** A tweet as the trending store sees it: when, and which hashtags. */
export interface IngestTweet {
  /** Tweets with an id are ingested once; a repeated id is a `DUPLICATE_TWEET` error. */
  id?: string;
  /** Milliseconds since the epoch. */
  time: number;
  hashtags: readonly HashtagUse[];
  /** The cleaned text (no hashtags, links or mentions): kept a while so drafts can find recent look-alikes. */
  query?: string;
}

/** A recently ingested tweet with its text, as {@link TrendingStore.recentTweets} returns it. */
export interface StoredRecentTweet {
  time: number;
  query: string;
  keys: string[];
}

/** Recent tweets after a cursor, and the cursor to read on from. */
export interface RecentTweetsPage {
  tweets: StoredRecentTweet[];
  cursor: string;
}

export interface IngestOptions {
  /** Skip tweets whose id was ingested before (counted in `duplicates`) instead of failing the batch. */
  skipDuplicates?: boolean;
}

export interface IngestResult {
  /** Tweets applied. */
  tweets: number;
  hashtagUses: number;
  /** Tweets skipped because their id was ingested before (only with `skipDuplicates`). */
  duplicates: number;
}

/** A small named value that the processes sharing a store share too (the blend's learned weights), with its version. */
export interface SharedValue {
  /** 1 for the first value written under its name, one more at each write after it. */
  version: number;
  value: string;
}

/** What the store knows about one hashtag. */
export interface TrendEntry {
  key: string;
  /** The commonest casing seen. */
  display: string;
  /** All uses ever ingested. */
  count: number;
  /** log2 of the sum of 2^(time / halfLife) over its uses (see `decay.ts`). */
  logWeight: number;
  firstSeen: number;
  lastSeen: number;
}

/**
 * Time-decayed hashtag usage, behind one interface for the embedded SQLite store and the shared
 * Redis store. Methods are async so both fit; entries come best first (highest log-weight).
 */
export interface TrendingStore {
  readonly kind: "sqlite" | "redis";
  readonly halfLifeHours: number;
  /** Applies a batch atomically: all of it or, on an error, none of it. */
  ingest(tweets: readonly IngestTweet[], options?: IngestOptions): Promise<IngestResult>;
  /** The `k` hashtags trending most now; equals by key. */
  top(k: number): Promise<TrendEntry[]>;
  /** The `k` hashtags whose key starts with `prefix`, trending most first; equals by key. */
  withPrefix(prefix: string, k: number): Promise<TrendEntry[]>;
  lookup(keys: readonly string[]): Promise<Map<string, TrendEntry>>;
  /** log2 of the sum of all uses' weights; `-Infinity` when empty. */
  totalLogWeight(): Promise<number>;
  /** Uses per hour for the `hours` hours that end with the hour of `now`, oldest first. */
  series(keys: readonly string[], now: number, hours: number): Promise<Map<string, number[]>>;
  /**
   * Tweets with text and hashtags ingested after `cursor` (from the oldest kept when undefined),
   * in ingest order, at most `limit`. Servers sharing a store read on from their cursor to see
   * each other's tweets.
   */
  recentTweets(cursor: string | undefined, limit: number): Promise<RecentTweetsPage>;
  /** The latest tweet time ingested, if any. */
  latestTime(): Promise<number | undefined>;
  /** The value written last under `name`, if any. */
  readShared(name: string): Promise<SharedValue | undefined>;
  /**
   * Writes `value` under `name` as version `version + 1` if the version there is still `version`
   * (0: nothing written yet); false, and nothing written, when another writer came first. A
   * compare-and-set: processes that read, change and write a value lose none of each other's changes.
   */
  writeShared(name: string, value: string, version: number): Promise<boolean>;
  /** Resolves when the store answers; rejects with `STORE_UNAVAILABLE` otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Hourly buckets older than this (behind the latest ingest) are pruned. */
export const SERIES_RETENTION_HOURS = 24 * 8;
/** Tweet texts older than this (behind the latest ingest) are pruned; at most RECENT_MAX_TWEETS are kept. */
export const RECENT_RETENTION_HOURS = 48;
export const RECENT_MAX_TWEETS = 200_000;

/** Checks a batch before any of it is applied: times, keys, ids unique within the batch. */
export function checkBatch(tweets: readonly IngestTweet[]): void {
  const ids = new Set<string>();
  tweets.forEach((tweet, i) => {
    if (!Number.isFinite(tweet.time)) throw invalidArgument(`tweet ${i}: time must be a finite number of milliseconds, got '${tweet.time}'`);
    if (tweet.id !== undefined) {
      if (ids.has(tweet.id)) throw invalidArgument(`tweet ${i}: id '${tweet.id}' appears twice in the batch`);
      ids.add(tweet.id);
    }
    for (const use of tweet.hashtags) {
      if (use.key.length === 0) throw invalidArgument(`tweet ${i}: empty hashtag key`);
    }
  });
}

/** Checks a half-life option (hours, positive, finite). */
export function checkHalfLife(halfLifeHours: number): number {
  if (!Number.isFinite(halfLifeHours) || halfLifeHours <= 0) {
    throw invalidArgument(`half-life must be a positive number of hours, got '${halfLifeHours}'`);
  }
  return halfLifeHours;
}

/** Distinct uses of one tweet (a tweet that repeats a hashtag uses it once). */
export function distinctUses(tweet: IngestTweet): HashtagUse[] {
  const seen = new Map<string, HashtagUse>();
  for (const use of tweet.hashtags) if (!seen.has(use.key)) seen.set(use.key, use);
  return [...seen.values()];
}

/**
 * Default half-life of the trending counts, chosen with `bench/blend.ts` on the validation days
 * of the time split (bench/README.md "Choosing the blend").
 */
export const DEFAULT_TREND_HALF_LIFE_HOURS = 0.125;
