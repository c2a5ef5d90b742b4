import { describe, expect, it } from "vitest";
import { DEFAULT_BLEND, explainScore, features, logit, SIGNALS } from "../../src/recommend/blend.js";

describe("the blend's logit", () => {
  it("is exactly the sum that explain shows, for any signals", () => {
    const weights = { ...DEFAULT_BLEND, uses: -0.37 };
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 200; i++) {
      const signals = { model: random() ** 3, trend: i % 5 === 0 ? 0 : random(), neighbours: random() * 0.5, burst: Math.floor(random() * 20), uses: Math.floor(random() * 1e5) };
      const parts = explainScore(signals, weights);
      expect(logit(signals, weights)).toBe(parts.logit);
      const f = features(signals);
      for (const name of SIGNALS) expect(parts.contributions[name]).toBe(weights[name] * f[name]);
    }
  });
});
