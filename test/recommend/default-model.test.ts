import { afterAll, describe, expect, it } from "vitest";
import { Recommender } from "../../src/recommend/recommender.js";
import { ROOT } from "../cli/cli.js";

describe("models/default (the shipped model)", () => {
  let recommender: Recommender | undefined;
  afterAll(async () => recommender?.close());

  it("loads and suggests known hashtags with probabilities, excluding those in the text", async () => {
    recommender = await Recommender.load(`${ROOT}/models/default`);
    expect(recommender.hashtags).toHaveLength(10_000);
    const suggestions = await recommender.recommend("Toronto Maple Leafs win the game in overtime #Leafs", { k: 5 });
    expect(suggestions).toHaveLength(5);
    expect(suggestions.map((s) => s.key)).not.toContain("leafs");
    const total = suggestions.reduce((sum, s) => sum + s.score, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(1.0001);
    for (let i = 1; i < suggestions.length; i++) expect(suggestions[i]!.score).toBeLessThanOrEqual(suggestions[i - 1]!.score);
  });
});
