import { HOUR_MS } from "./decay.js";
import type { TrendEntry, TrendingStore } from "./store.js";

/** What a suggestion shows of a hashtag from the store: its entry and its hourly series. */
export interface Description {
  /** Undefined when the store has never seen the hashtag. Shared with later callers: read it, do not change it. */
  entry: Readonly<TrendEntry> | undefined;
  /** Uses per hour, oldest first, ending with the hour of `now`. Shared like `entry`. */
  series: readonly number[];
}

export interface DescriptionCacheOptions {
  /** A description older than this is read again (default 1000 ms); local ingests invalidate all. */
  maxAgeMs?: number;
}

interface Cached {
  description: Description;
  readAt: number;
  /** The hour the series ends with, and its length. */
  lastHour: number;
  hours: number;
}

/** Descriptions kept at most; the oldest half is dropped past it. */
const MAX_ENTRIES = 10_000;

/**
 * Entries and sparkline series of the hashtags suggested, kept briefly in memory: under load the
 * same trending hashtags are suggested again and again, and the two store reads per suggestion took
 * about a tenth of the server's time (bench/README.md "Speed and load"). Fresh as the trend snapshot is
 * (`TrendCache`): local ingests invalidate it at once, other processes' ingests (a shared Redis)
 * show within `maxAgeMs`.
 */
export class DescriptionCache {
  private readonly cached = new Map<string, Cached>();
  private readonly maxAgeMs: number;
  private generation = 0;

  constructor(
    private readonly store: TrendingStore,
    options: DescriptionCacheOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 1000;
  }

  /** Each key's description at `now` (series over `hours` hours); reads the store only for those missing or stale. */
  async describe(keys: readonly string[], now: number, hours: number): Promise<Map<string, Description>> {
    const readStart = performance.now();
    const result = this.held(keys, now, hours);
    const missing = keys.filter((key) => !result.has(key));
    const lastHour = Math.floor(now / HOUR_MS);
    if (missing.length === 0) return result;
    const generation = this.generation;
    const [entries, series] = await Promise.all([this.store.lookup(missing), this.store.series(missing, now, hours)]);
    if (this.cached.size + missing.length > MAX_ENTRIES) this.dropOldest();
    for (const key of missing) {
      const description: Description = { entry: entries.get(key), series: series.get(key) ?? new Array<number>(hours).fill(0) };
      if (generation === this.generation) {
        this.cached.delete(key); // re-inserted last, so the oldest reads come first
        this.cached.set(key, { description, readAt: readStart, lastHour, hours });
      }
      result.set(key, description);
    }
    return result;
  }

  /** The fresh descriptions held for `keys`, without reading the store (all there is while it is down). */
  held(keys: readonly string[], now: number, hours: number): Map<string, Description> {
    const lastHour = Math.floor(now / HOUR_MS);
    const at = performance.now();
    const result = new Map<string, Description>();
    for (const key of keys) {
      const hit = this.cached.get(key);
      if (hit && at - hit.readAt <= this.maxAgeMs && hit.lastHour === lastHour && hit.hours === hours) result.set(key, hit.description);
    }
    return result;
  }

  /** Descriptions held. */
  get size(): number {
    return this.cached.size;
  }

  invalidate(): void {
    this.generation++;
    this.cached.clear();
  }

  private dropOldest(): void {
    const keys = [...this.cached.keys()];
    for (const key of keys.slice(0, Math.ceil(keys.length / 2))) this.cached.delete(key);
  }
}
