import { describe, expect, it } from "vitest";
import { RecentUses } from "../../src/trending/recent-uses.js";

describe("RecentUses", () => {
  it("counts the tweets among the last N that used each hashtag", () => {
    const recent = new RecentUses(3);
    recent.add(["nba", "suns"]);
    recent.add(["nba"]);
    recent.add(["leafs", "leafs"]); // a tweet counts once per hashtag
    expect([recent.count("nba"), recent.count("suns"), recent.count("leafs"), recent.count("none")]).toEqual([2, 1, 1, 0]);
    recent.add(["leafs"]); // the first tweet leaves the window
    expect([recent.count("nba"), recent.count("suns"), recent.count("leafs")]).toEqual([1, 0, 2]);
    recent.add([]);
    recent.add([]);
    recent.add([]);
    expect([recent.count("nba"), recent.count("leafs")]).toEqual([0, 0]);
  });

  it("rejects a window that is not a positive integer", () => {
    expect(() => new RecentUses(0)).toThrow(/positive integer/);
    expect(() => new RecentUses(2.5)).toThrow(/positive integer/);
  });
});
