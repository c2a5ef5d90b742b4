/** Tweets the burst signal looks back over (chosen with bench/blend.ts; bench/README.md "Choosing the blend"). */
export const DEFAULT_RECENT_TWEETS = 50;

/**
 * How often each hashtag was used in the last few tweets ingested: the burst that a time-decayed
 * count smooths over (a topic that several of the last 50 tweets carried is being tagged right
 * now, whatever the clock says). Counted per tweet, so a tweet that repeats a hashtag counts once.
 *
 * @example
 * ```ts
 * const recent = new RecentUses(2);
 * recent.add(["nba"]); recent.add(["nba", "suns"]); recent.add(["suns"]);
 * recent.count("nba"); // 1 — the first tweet has left the window
 * ```
 */
export class RecentUses {
  private readonly ring: (readonly string[])[];
  private next = 0;
  private readonly counts = new Map<string, number>();
  private added = 0;

  constructor(readonly size = DEFAULT_RECENT_TWEETS) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`RecentUses size must be a positive integer, got ${size}`);
    this.ring = new Array<readonly string[]>(size).fill([]);
  }

  /** Adds the next tweet's hashtag keys; the oldest tweet leaves the window. */
  add(keys: readonly string[]): void {
    for (const key of this.ring[this.next]!) {
      const left = this.counts.get(key)! - 1;
      if (left === 0) this.counts.delete(key);
      else this.counts.set(key, left);
    }
    const distinct = [...new Set(keys)];
    this.ring[this.next] = distinct;
    this.next = (this.next + 1) % this.size;
    for (const key of distinct) this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.added++;
  }

  /** Changes with every tweet added (so that a reader can cache what it derived). */
  get version(): number {
    return this.added;
  }

  /** Each hashtag in the window with its count. */
  entries(): IterableIterator<[string, number]> {
    return this.counts.entries();
  }

  /** Tweets in the window that used `key`. */
  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}
