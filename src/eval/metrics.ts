/** The fixed metrics of `hashtag-rec eval`, averaged over scored tweets. */
export interface Metrics {
  n: number;
  skipped: number;
  hit1: number;
  hit5: number;
  recall5: number;
  mrr10: number;
  coverage: number;
  /** hit@k for k = 1..10 (index 0 is hit@1), for the report's plot. */
  hitAtK: number[];
}

/** Rank (1-based) of the first truth key in `ranked`, or 0 when none is there. */
export function firstHitRank(ranked: readonly string[], truth: ReadonlySet<string>): number {
  for (let i = 0; i < ranked.length; i++) if (truth.has(ranked[i]!)) return i + 1;
  return 0;
}

/** Share of the truth set found in the first `k` of `ranked`. */
export function recallAt(ranked: readonly string[], truth: ReadonlySet<string>, k: number): number {
  if (truth.size === 0) return 0;
  let found = 0;
  for (const key of new Set(ranked.slice(0, k))) if (truth.has(key)) found += 1;
  return found / truth.size;
}

/**
 * Accumulates metrics one scored tweet at a time.
 *
 * @example
 * ```ts
 * const m = new MetricsAccumulator();
 * m.add(["a", "b", "c"], new Set(["b", "z"]), true);
 * m.result(); // { n: 1, hit1: 0, hit5: 1, recall5: 0.5, mrr10: 0.5, coverage: 1, ... }
 * ```
 */
export class MetricsAccumulator {
  private n = 0;
  private skipped = 0;
  private recall5 = 0;
  private mrr10 = 0;
  private covered = 0;
  private readonly hitsAtK = new Array<number>(10).fill(0);

  add(ranked: readonly string[], truth: ReadonlySet<string>, covered: boolean): void {
    this.n += 1;
    const rank = firstHitRank(ranked.slice(0, 10), truth);
    if (rank > 0) {
      this.mrr10 += 1 / rank;
      for (let k = rank; k <= 10; k++) this.hitsAtK[k - 1]! += 1;
    }
    this.recall5 += recallAt(ranked, truth, 5);
    if (covered) this.covered += 1;
  }

  skip(): void {
    this.skipped += 1;
  }

  result(): Metrics {
    const mean = (x: number) => (this.n === 0 ? 0 : x / this.n);
    return {
      n: this.n,
      skipped: this.skipped,
      hit1: mean(this.hitsAtK[0]!),
      hit5: mean(this.hitsAtK[4]!),
      recall5: mean(this.recall5),
      mrr10: mean(this.mrr10),
      coverage: mean(this.covered),
      hitAtK: this.hitsAtK.map(mean),
    };
  }
}
