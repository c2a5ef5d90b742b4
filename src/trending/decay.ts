/**
 * Time-decayed counts kept in log space. A use at time `t` weighs 2^(t / halfLife) — a weight that
 * grows with time instead of old weights shrinking — so every key decays alike and the order of
 * the stored log-weights is the order of the decayed counts at any `now`. A key's decayed count at
 * `now` is 2^(logWeight − now / halfLife); its share of all uses is 2^(logWeight − totalLogWeight).
 *
 * @example
 * ```ts
 * const h = 3_600_000; // one hour
 * let w = useLogWeight(0, h);              // 0
 * w = logAddExp2(w, useLogWeight(h, h));   // log2(1 + 2) ≈ 1.585
 * decayedCount(w, h, h);                   // 1.5: the use an hour ago counts half
 * ```
 */

export const HOUR_MS = 3_600_000;

/** The log2-weight of one use at `timeMs`. */
export function useLogWeight(timeMs: number, halfLifeMs: number): number {
  return timeMs / halfLifeMs;
}

/** log2(2^a + 2^b), without overflow. `-Infinity` is the empty sum. */
export function logAddExp2(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const high = Math.max(a, b);
  return high + Math.log2(1 + 2 ** -Math.abs(a - b));
}

/** The decayed count (uses, each halved per half-life of age) at `nowMs`. */
export function decayedCount(logWeight: number, nowMs: number, halfLifeMs: number): number {
  return 2 ** (logWeight - nowMs / halfLifeMs);
}
