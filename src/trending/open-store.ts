import { RedisTrendingStore } from "./redis-store.js";
import { SqliteTrendingStore } from "./sqlite-store.js";
import type { TrendingStore } from "./store.js";

/**
 * Opens the store a CLI flag names: `redis://…` (or `rediss://…`) is the shared Redis store,
 * anything else the path of an SQLite file (created if missing; `:memory:` for a throw-away one).
 *
 * @example
 * ```ts
 * await openStore("trends.db", { halfLifeHours: 1 });              // embedded
 * await openStore("redis://127.0.0.1:6379", { halfLifeHours: 1 });  // shared by many servers
 * ```
 */
export async function openStore(location: string, options: { halfLifeHours: number }): Promise<TrendingStore> {
  if (isRedisUrl(location)) return RedisTrendingStore.open(location, options);
  return SqliteTrendingStore.open(location, options);
}

/** Whether a store location names the shared Redis store (`redis://…`, `rediss://…`) rather than an SQLite file. */
export function isRedisUrl(location: string): boolean {
  return /^rediss?:\/\//u.test(location);
}
