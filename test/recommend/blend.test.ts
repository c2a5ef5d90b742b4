import { describe, expect, it } from "vitest";
import { DEFAULT_BLEND, explainScore, features, FULL_WEIGHT_COVERAGE, logit, modelWeightFactor, SIGNALS, weightsAtCoverage } from "../../src/recommend/blend.js";

describe("the blend's logit", () => {
  it("is exactly the sum that explain shows, for any signals", () => {
    const weights = { ...DEFAULT_BLEND, uses: -0.37 };
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 200; i++) {
      const signals = { model: random() ** 3, trend: i % 5 === 0 ? 0 : random(), neighbours: random() * 0.5, burst: Math.floor(random() * 20), uses: Math.floor(random() * 1e5), centroid: random(), classifier: random() * 6 - 2, cooccurrence: i % 3 === 0 ? 0 : random() };
      const parts = explainScore(signals, weights);
      expect(logit(signals, weights)).toBe(parts.logit);
      const f = features(signals);
      for (const name of SIGNALS) expect(parts.contributions[name]).toBe(weights[name] * f[name]);
    }
  });
});

describe("the model's weight at a coverage of the trending uses", () => {
  it("is whole from FULL_WEIGHT_COVERAGE up, falls in proportion below, and is 0 when the model knows none of them", () => {
    expect(weightsAtCoverage(DEFAULT_BLEND, 1)).toBe(DEFAULT_BLEND); // the same object: nothing to change
    expect(weightsAtCoverage(DEFAULT_BLEND, FULL_WEIGHT_COVERAGE)).toBe(DEFAULT_BLEND);
    expect(weightsAtCoverage(DEFAULT_BLEND, FULL_WEIGHT_COVERAGE / 2)).toEqual({ ...DEFAULT_BLEND, model: DEFAULT_BLEND.model / 2 });
    expect(weightsAtCoverage(DEFAULT_BLEND, 0)).toEqual({ ...DEFAULT_BLEND, model: 0 });
    expect(modelWeightFactor(0.2, 0.8)).toBe(0.25);
  });

  it("is kept whole at any coverage when the full-weight coverage is 0, in a blend of the model alone, and when the coverage is not a number", () => {
    expect(modelWeightFactor(0, 0)).toBe(1);
    expect(weightsAtCoverage(DEFAULT_BLEND, 0.1, 0)).toBe(DEFAULT_BLEND);
    const modelAlone = { model: 1, trend: 0, neighbours: 0, burst: 0, uses: 0, centroid: 0, classifier: 0, cooccurrence: 0 };
    expect(weightsAtCoverage(modelAlone, 0)).toBe(modelAlone); // scaled, every weight would be 0
    expect(modelWeightFactor(Number.NaN)).toBe(1); // Infinity / Infinity when the store's total and top disagree
  });
});
