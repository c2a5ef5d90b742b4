import { describe, expect, it } from "vitest";
import { DEFAULT_BLEND, SIGNALS, type BlendWeights } from "../../src/recommend/blend.js";
import { OnlineBlend } from "../../src/recommend/online-blend.js";

const WIDTH = SIGNALS.length;
let seed = 5;
const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;

/** −ln(share of the softmax that goes to the truth), as documented. */
function loss(weights: Readonly<BlendWeights>, rows: Float64Array, isTruth: Uint8Array, count: number): number {
  const logits = Array.from({ length: count }, (_, n) => SIGNALS.reduce((sum, signal, f) => sum + weights[signal] * rows[n * WIDTH + f]!, 0));
  const max = Math.max(...logits);
  const all = logits.reduce((sum, z) => sum + Math.exp(z - max), 0);
  const truth = logits.reduce((sum, z, n) => sum + (isTruth[n] ? Math.exp(z - max) : 0), 0);
  return -Math.log(truth / all);
}

function randomDraft(count: number): { rows: Float64Array; isTruth: Uint8Array } {
  const rows = Float64Array.from({ length: count * WIDTH }, () => random() * 4 - 2);
  const isTruth = Uint8Array.from({ length: count }, (_, n) => (n === 0 || random() < 0.1 ? 1 : 0));
  return { rows, isTruth };
}

describe("OnlineBlend", () => {
  it("takes Adam's first step: each weight moves by the learning rate against its gradient of the loss", () => {
    const { rows, isTruth } = randomDraft(40);
    const blend = new OnlineBlend(DEFAULT_BLEND, { learningRate: 0.01 });
    expect(blend.learn({ features: rows, isTruth, count: 40 })).toBe(true);
    for (const signal of SIGNALS) {
      // The gradient by central differences; Adam's first step is −rate · sign(gradient).
      const h = 1e-6;
      const up = loss({ ...DEFAULT_BLEND, [signal]: DEFAULT_BLEND[signal] + h }, rows, isTruth, 40);
      const down = loss({ ...DEFAULT_BLEND, [signal]: DEFAULT_BLEND[signal] - h }, rows, isTruth, 40);
      const gradient = (up - down) / (2 * h);
      expect(Math.abs(gradient)).toBeGreaterThan(1e-4);
      expect(blend.weights[signal] - DEFAULT_BLEND[signal]).toBeCloseTo(-0.01 * Math.sign(gradient), 6);
    }
    expect(blend.learned).toBe(1);
  });

  it("learns which signal tells the truth from the rest", () => {
    // The truth is the candidate with the highest "centroid" feature; every other feature is noise.
    const start = Object.fromEntries(SIGNALS.map((s) => [s, 0.1])) as BlendWeights;
    const blend = new OnlineBlend(start, { learningRate: 0.01 });
    const hitRate = (weights: Readonly<BlendWeights>) => {
      let hits = 0;
      for (let i = 0; i < 200; i++) {
        const { rows } = randomDraft(20);
        const logits = Array.from({ length: 20 }, (_, n) => SIGNALS.reduce((sum, signal, f) => sum + weights[signal] * rows[n * WIDTH + f]!, 0));
        const centroid = Array.from({ length: 20 }, (_, n) => rows[n * WIDTH + SIGNALS.indexOf("centroid")]!);
        if (logits.indexOf(Math.max(...logits)) === centroid.indexOf(Math.max(...centroid))) hits++;
      }
      return hits / 200;
    };
    const before = hitRate(start);
    for (let i = 0; i < 1000; i++) {
      const { rows } = randomDraft(20);
      const centroid = Array.from({ length: 20 }, (_, n) => rows[n * WIDTH + SIGNALS.indexOf("centroid")]!);
      const isTruth = Uint8Array.from(centroid, (value) => (value === Math.max(...centroid) ? 1 : 0));
      blend.learn({ features: rows, isTruth, count: 20 });
    }
    expect(blend.weights.centroid).toBeGreaterThan(3);
    for (const signal of SIGNALS) if (signal !== "centroid") expect(Math.abs(blend.weights[signal])).toBeLessThan(blend.weights.centroid / 4);
    expect(hitRate(blend.weights)).toBeGreaterThan(before + 0.4);
  });

  it("keeps a signal that starts at 0 off, and with a learning rate of 0 moves nothing", () => {
    const { rows, isTruth } = randomDraft(30);
    const off = new OnlineBlend({ ...DEFAULT_BLEND, neighbours: 0 });
    expect(off.learn({ features: rows, isTruth, count: 30 })).toBe(true);
    expect(off.weights.neighbours).toBe(0);
    expect(off.weights.trend).not.toBe(DEFAULT_BLEND.trend);
    const fixed = new OnlineBlend(DEFAULT_BLEND, { learningRate: 0 });
    expect(fixed.learning).toBe(false);
    expect(fixed.learn({ features: rows, isTruth, count: 30 })).toBe(false);
    expect(fixed.weights).toEqual(DEFAULT_BLEND);
  });

  it("learns nothing when none of the candidates is one of the tweet's hashtags, and replaces its weights rather than changing them", () => {
    const { rows } = randomDraft(30);
    const blend = new OnlineBlend(DEFAULT_BLEND);
    const before = blend.weights;
    expect(blend.learn({ features: rows, isTruth: new Uint8Array(30), count: 30 })).toBe(false);
    expect(blend.weights).toBe(before);
    expect(blend.learned).toBe(0);
    const { rows: more, isTruth } = randomDraft(30);
    expect(blend.learn({ features: more, isTruth, count: 30 })).toBe(true);
    expect(blend.weights).not.toBe(before);
    expect(before).toEqual(DEFAULT_BLEND); // what a ranking read before the step stays as it was
    expect(Object.isFrozen(blend.weights)).toBe(true);
  });

  it("rejects a negative or non-numeric learning rate", () => {
    expect(() => new OnlineBlend(DEFAULT_BLEND, { learningRate: -0.1 })).toThrow(/learning rate/);
    expect(() => new OnlineBlend(DEFAULT_BLEND, { learningRate: Number.NaN })).toThrow(/learning rate/);
  });
});
