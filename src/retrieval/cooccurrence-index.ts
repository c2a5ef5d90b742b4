import { HOUR_MS } from "../trending/decay.js";

export interface CooccurrenceIndexOptions {
  /** A tweet's part in the counts halves per this many hours of age (default {@link DEFAULT_COOCCURRENCE_HALF_LIFE_HOURS}). */
  halfLifeHours?: number;
}

/** Chosen with `bench/cooccurrence.ts` on the validation days (bench/README.md "Hashtags already in the draft"). */
export const DEFAULT_COOCCURRENCE_HALF_LIFE_HOURS = 6;
/** A tweet's first hashtags that count (as used and as pairs): one with more is a list, not a topic. */
const MAX_KEYS_PER_TWEET = 10;
/** At each hourly rebase, counts under a single use this many half-lives old are dropped. */
const PRUNE_AFTER_HALF_LIVES = 8;

/** What a tweet adds: its time and its hashtag keys. */
export interface TaggedTweet {
  time: number;
  keys: readonly string[];
}

/**
 * Which hashtags recent tweets use together: per hashtag, the time-decayed count of the tweets
 * that used it, and per other hashtag, of those that used both. For a draft that already holds
 * `#Leafs`, `shares(["leafs"])` says, of the recent tweets with #Leafs, what share also used each
 * other hashtag: the ones a writer adds next (`#LeafsForever`, `#GoLeafsGo`).
 *
 * The suggester feeds it the store's recent tweets, which are those with words as well as
 * hashtags. Decay multiplies a newer tweet up (2^(age/halfLife) from a base time) instead of every
 * count down; once an hour of tweet time the counts are brought back to the newest time, and those
 * worth less than a use {@link PRUNE_AFTER_HALF_LIVES} half-lives old leave. Times are taken as
 * they come: `Suggester.ingest` refuses tweets dated more than a day ahead of the clock
 * (`MAX_AHEAD_MS`), one of which would make every count before it worth nothing; what is written
 * to the store otherwise (`ingestUses`, another program) is not checked.
 *
 * @example
 * ```ts
 * const index = new CooccurrenceIndex();
 * index.addAll([{ time: t, keys: ["leafs", "leafsforever"] }, { time: t, keys: ["leafs"] }]);
 * index.shares(["leafs"]).get("leafsforever"); // 0.5
 * ```
 */
export class CooccurrenceIndex {
  private readonly halfLifeMs: number;
  /** The time at which a tweet counts 1. */
  private base: number | undefined;
  private readonly uses = new Map<string, number>();
  private readonly pairs = new Map<string, Map<string, number>>();

  constructor(options: CooccurrenceIndexOptions = {}) {
    this.halfLifeMs = (options.halfLifeHours ?? DEFAULT_COOCCURRENCE_HALF_LIFE_HOURS) * HOUR_MS;
  }

  /** Hashtags with a count. */
  get size(): number {
    return this.uses.size;
  }

  addAll(tweets: readonly TaggedTweet[]): void {
    for (const tweet of tweets) this.add(tweet);
  }

  add({ time, keys }: TaggedTweet): void {
    if (keys.length === 0) return;
    this.base ??= time;
    if (time - this.base >= HOUR_MS) this.rebase(time);
    const weight = 2 ** ((time - this.base) / this.halfLifeMs);
    const distinct = [...new Set(keys)].slice(0, MAX_KEYS_PER_TWEET);
    for (const key of distinct) {
      this.uses.set(key, (this.uses.get(key) ?? 0) + weight);
      if (distinct.length < 2) continue;
      let row = this.pairs.get(key);
      if (row === undefined) this.pairs.set(key, (row = new Map()));
      for (const other of distinct) if (other !== key) row.set(other, (row.get(other) ?? 0) + weight);
    }
  }

  /**
   * For the hashtags already in a draft, each other hashtag's share of their recent tweets: the
   * largest, over the draft's hashtags, of the share of that hashtag's tweets that also used it
   * (0 to 1). Hashtags never used with them, and the draft's own, are absent.
   */
  shares(keys: readonly string[]): Map<string, number> {
    const shares = new Map<string, number>();
    for (const key of keys) {
      const row = this.pairs.get(key);
      const total = this.uses.get(key);
      if (row === undefined || total === undefined) continue;
      for (const [other, weight] of row) {
        const share = weight / total;
        if (share > (shares.get(other) ?? 0) && !keys.includes(other)) shares.set(other, share);
      }
    }
    return shares;
  }

  /** Counts brought to `time`'s scale; those under the floor leave. */
  private rebase(time: number): void {
    const factor = 2 ** (-(time - this.base!) / this.halfLifeMs);
    const floor = 2 ** -PRUNE_AFTER_HALF_LIVES;
    for (const [key, weight] of this.uses) {
      if (weight * factor < floor) {
        this.uses.delete(key);
        this.pairs.delete(key);
      } else {
        this.uses.set(key, weight * factor);
      }
    }
    for (const [key, row] of this.pairs) {
      for (const [other, weight] of row) {
        if (weight * factor < floor) row.delete(other);
        else row.set(other, weight * factor);
      }
      if (row.size === 0) this.pairs.delete(key);
    }
    this.base = time;
  }
}
