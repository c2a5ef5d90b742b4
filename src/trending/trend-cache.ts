import type { TrendEntry, TrendingStore } from "./store.js";

/** The hashtags trending most, read from the store at one moment. */
export interface TrendSnapshot {
  /** Best first. */
  entries: readonly TrendEntry[];
  byKey: ReadonlyMap<string, TrendEntry>;
  /** log2 of the sum of all uses' weights (`-Infinity` when empty). */
  totalLogWeight: number;
  takenAt: number;
}

export interface TrendCacheOptions {
  /** Entries kept (default 200). */
  size?: number;
  /** A snapshot older than this is read again (default 1000 ms); local ingests invalidate it. */
  maxAgeMs?: number;
}

/**
 * The top of the trending store kept in memory, so a suggestion does not read the store for
 * every candidate. Local ingests invalidate it at once; other processes' ingests (a shared Redis)
 * show within `maxAgeMs`. Concurrent callers share one read.
 */
export class TrendCache {
  private current: TrendSnapshot | undefined;
  private loading: Promise<TrendSnapshot> | undefined;
  private generation = 0;
  readonly size: number;
  private readonly maxAgeMs: number;

  constructor(
    private readonly store: TrendingStore,
    options: TrendCacheOptions = {},
  ) {
    this.size = options.size ?? 200;
    this.maxAgeMs = options.maxAgeMs ?? 1000;
  }

  async snapshot(): Promise<TrendSnapshot> {
    if (this.current && performance.now() - this.current.takenAt <= this.maxAgeMs) return this.current;
    if (!this.loading) {
      const generation = this.generation;
      this.loading = this.read().finally(() => {
        this.loading = undefined;
      });
      const snapshot = await this.loading;
      if (generation === this.generation) this.current = snapshot;
      return snapshot;
    }
    return this.loading;
  }

  invalidate(): void {
    this.generation++;
    this.current = undefined;
  }

  private async read(): Promise<TrendSnapshot> {
    const [entries, totalLogWeight] = await Promise.all([this.store.top(this.size), this.store.totalLogWeight()]);
    return { entries, byKey: new Map(entries.map((e) => [e.key, e])), totalLogWeight, takenAt: performance.now() };
  }
}
