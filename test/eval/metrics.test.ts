import { describe, expect, it } from "vitest";
import { firstHitRank, MetricsAccumulator, recallAt } from "../../src/eval/metrics.js";

describe("metric functions", () => {
  it("firstHitRank is 1-based and 0 on a miss", () => {
    expect(firstHitRank(["a", "b", "c"], new Set(["c"]))).toBe(3);
    expect(firstHitRank(["a", "b"], new Set(["z"]))).toBe(0);
  });

  it("recallAt counts the share of the truth in the first k", () => {
    expect(recallAt(["a", "b", "c", "d", "e", "f"], new Set(["b", "f", "x"]), 5)).toBeCloseTo(1 / 3);
    expect(recallAt(["a", "a"], new Set(["a", "b"]), 5)).toBe(0.5);
  });

  it("aggregates hand-computed fixtures", () => {
    const m = new MetricsAccumulator();
    // tweet 1: truth at rank 1 → hit1, hit5, rr = 1, recall5 = 1/2
    m.add(["a", "b", "c", "d", "e"], new Set(["a", "z"]), true);
    // tweet 2: truth at rank 4 → hit5 only, rr = 1/4, recall5 = 1
    m.add(["p", "q", "r", "s", "t"], new Set(["s"]), true);
    // tweet 3: truth at rank 7 → only mrr10 = 1/7, not covered
    m.add(["1", "2", "3", "4", "5", "6", "x", "8", "9", "10"], new Set(["x"]), false);
    // tweet 4: miss
    m.add(["a"], new Set(["b"]), false);
    m.skip();
    const r = m.result();
    expect(r.n).toBe(4);
    expect(r.skipped).toBe(1);
    expect(r.hit1).toBeCloseTo(1 / 4);
    expect(r.hit5).toBeCloseTo(2 / 4);
    expect(r.recall5).toBeCloseTo((0.5 + 1 + 0 + 0) / 4);
    expect(r.mrr10).toBeCloseTo((1 + 1 / 4 + 1 / 7) / 4);
    expect(r.coverage).toBeCloseTo(2 / 4);
    expect(r.hitAtK).toEqual([0.25, 0.25, 0.25, 0.5, 0.5, 0.5, 0.75, 0.75, 0.75, 0.75]);
  });

  it("is all zeros with nothing scored", () => {
    expect(new MetricsAccumulator().result()).toMatchObject({ n: 0, hit5: 0, coverage: 0 });
  });
});
