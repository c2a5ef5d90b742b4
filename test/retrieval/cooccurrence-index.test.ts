import { describe, expect, it } from "vitest";
import { CooccurrenceIndex } from "../../src/retrieval/cooccurrence-index.js";
import { HOUR_MS } from "../../src/trending/decay.js";

const T0 = Date.parse("2023-05-01T00:00:00Z");

describe("CooccurrenceIndex", () => {
  it("gives each hashtag's share of the tweets with one in the draft, the largest over the draft's", () => {
    const index = new CooccurrenceIndex({ halfLifeHours: 1 });
    index.addAll([
      { time: T0, keys: ["leafs", "leafsforever"] },
      { time: T0, keys: ["leafs", "leafsforever", "nhl"] },
      { time: T0, keys: ["leafs"] },
      { time: T0, keys: ["leafs"] },
      { time: T0, keys: ["nhl", "playoffs"] },
    ]);
    const shares = index.shares(["leafs"]);
    expect(Object.fromEntries(shares)).toEqual({ leafsforever: 0.5, nhl: 0.25 });
    // With #NHL as well: playoffs is in half of the #NHL tweets; the draft's own hashtags are left out.
    expect(Object.fromEntries(index.shares(["leafs", "nhl"]))).toEqual({ leafsforever: 0.5, playoffs: 0.5 });
    expect(index.shares(["unknown"]).size).toBe(0);
    expect(index.shares([]).size).toBe(0);
  });

  it("weighs a tweet one half-life newer twice, across hourly rebases", () => {
    const index = new CooccurrenceIndex({ halfLifeHours: 2 });
    index.add({ time: T0, keys: ["a", "old"] });
    index.add({ time: T0 + 2 * HOUR_MS, keys: ["a", "new"] });
    expect(index.shares(["a"]).get("old")).toBeCloseTo(1 / 3, 12);
    expect(index.shares(["a"]).get("new")).toBeCloseTo(2 / 3, 12);
    index.add({ time: T0 + 4 * HOUR_MS, keys: ["b"] }); // a rebase: the shares stay
    expect(index.shares(["a"]).get("new")).toBeCloseTo(2 / 3, 12);
  });

  it("forgets hashtags not used for eight half-lives", () => {
    const index = new CooccurrenceIndex({ halfLifeHours: 1 });
    index.add({ time: T0, keys: ["a", "b"] });
    index.add({ time: T0 + 7.5 * HOUR_MS, keys: ["c"] });
    expect(index.shares(["a"]).get("b")).toBe(1);
    expect(index.size).toBe(3);
    index.add({ time: T0 + 8.5 * HOUR_MS, keys: ["c"] });
    expect(index.shares(["a"]).size).toBe(0);
    expect(index.size).toBe(1);
  });

  it("pairs a tweet's first ten distinct hashtags only, and counts a repeated one once", () => {
    const index = new CooccurrenceIndex();
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
    index.add({ time: T0, keys: ["k0", ...keys] });
    const shares = index.shares(["k0"]);
    expect([...shares.keys()].sort()).toEqual(keys.slice(1, 10).sort());
    expect(shares.get("k1")).toBe(1);
  });
});
