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

/** A draft's candidates with random features; the first and about a tenth of the others are the truth. */
function randomDraft(count: number): { features: Float64Array; isTruth: Uint8Array } {
  const features = Float64Array.from({ length: count * WIDTH }, () => random() * 4 - 2);
  const isTruth = Uint8Array.from({ length: count }, (_, n) => (n === 0 || random() < 0.1 ? 1 : 0));
  return { features, isTruth };
}

describe("OnlineBlend", () => {
  it("takes Adam's first step: each weight moves by the learning rate against its gradient of the loss", () => {
    const { features: rows, isTruth } = randomDraft(40);
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

  it("takes the steps of Adam as written out here, through many drafts", () => {
    // Adam (β1 0.9, β2 0.999, ε 1e-8, bias-corrected) on the loss's gradient by central differences.
    const rate = 0.003;
    const blend = new OnlineBlend(DEFAULT_BLEND, { learningRate: rate });
    const w: BlendWeights = { ...DEFAULT_BLEND };
    const m = new Map(SIGNALS.map((s) => [s, 0]));
    const v = new Map(SIGNALS.map((s) => [s, 0]));
    for (let t = 1; t <= 25; t++) {
      const count = 5 + Math.floor(random() * 40);
      const { features, isTruth } = randomDraft(count);
      blend.learn({ features, isTruth, count });
      const h = 1e-6;
      const gradient = SIGNALS.map((signal) => (loss({ ...w, [signal]: w[signal] + h }, features, isTruth, count) - loss({ ...w, [signal]: w[signal] - h }, features, isTruth, count)) / (2 * h));
      SIGNALS.forEach((signal, f) => {
        const g = gradient[f]!;
        m.set(signal, 0.9 * m.get(signal)! + 0.1 * g);
        v.set(signal, 0.999 * v.get(signal)! + 0.001 * g * g);
        w[signal] -= (rate * (m.get(signal)! / (1 - 0.9 ** t))) / (Math.sqrt(v.get(signal)! / (1 - 0.999 ** t)) + 1e-8);
      });
      for (const signal of SIGNALS) expect(blend.weights[signal]).toBeCloseTo(w[signal], 6);
    }
    expect(blend.learned).toBe(25);
  });

  it("learns which signal tells the truth from the rest", () => {
    // The truth is the candidate with the highest "centroid" feature; every other feature is noise.
    const start = Object.fromEntries(SIGNALS.map((s) => [s, 0.1])) as BlendWeights;
    const blend = new OnlineBlend(start, { learningRate: 0.01 });
    const hitRate = (weights: Readonly<BlendWeights>) => {
      let hits = 0;
      for (let i = 0; i < 200; i++) {
        const { features: rows } = randomDraft(20);
        const logits = Array.from({ length: 20 }, (_, n) => SIGNALS.reduce((sum, signal, f) => sum + weights[signal] * rows[n * WIDTH + f]!, 0));
        const centroid = Array.from({ length: 20 }, (_, n) => rows[n * WIDTH + SIGNALS.indexOf("centroid")]!);
        if (logits.indexOf(Math.max(...logits)) === centroid.indexOf(Math.max(...centroid))) hits++;
      }
      return hits / 200;
    };
    const before = hitRate(start);
    for (let i = 0; i < 1000; i++) {
      const { features: rows } = randomDraft(20);
      const centroid = Array.from({ length: 20 }, (_, n) => rows[n * WIDTH + SIGNALS.indexOf("centroid")]!);
      const isTruth = Uint8Array.from(centroid, (value) => (value === Math.max(...centroid) ? 1 : 0));
      blend.learn({ features: rows, isTruth, count: 20 });
    }
    expect(blend.weights.centroid).toBeGreaterThan(3);
    for (const signal of SIGNALS) if (signal !== "centroid") expect(Math.abs(blend.weights[signal])).toBeLessThan(blend.weights.centroid / 4);
    expect(hitRate(blend.weights)).toBeGreaterThan(before + 0.4);
  });

  it("keeps a signal that starts at 0 off, and with a learning rate of 0 moves nothing", () => {
    const { features: rows, isTruth } = randomDraft(30);
    const off = new OnlineBlend({ ...DEFAULT_BLEND, neighbours: 0 });
    expect(off.learn({ features: rows, isTruth, count: 30 })).toBe(true);
    expect(off.weights.neighbours).toBe(0);
    expect(off.weights.trend).not.toBe(DEFAULT_BLEND.trend);
    // One signal alone has nothing to be weighed against: scaling it would change no ranking, and could only turn it around.
    const alone = new OnlineBlend({ ...Object.fromEntries(SIGNALS.map((s) => [s, 0])), model: 1 } as BlendWeights);
    expect(alone.learning).toBe(false);
    expect(alone.learn({ features: rows, isTruth, count: 30 })).toBe(false);
    const fixed = new OnlineBlend(DEFAULT_BLEND, { learningRate: 0 });
    expect(fixed.learning).toBe(false);
    expect(fixed.learn({ features: rows, isTruth, count: 30 })).toBe(false);
    expect(fixed.weights).toEqual(DEFAULT_BLEND);
  });

  it("learns nothing when none of the candidates is one of the tweet's hashtags, and replaces its weights rather than changing them", () => {
    const { features: rows } = randomDraft(30);
    const blend = new OnlineBlend(DEFAULT_BLEND);
    const before = blend.weights;
    expect(blend.learn({ features: rows, isTruth: new Uint8Array(30), count: 30 })).toBe(false);
    expect(blend.weights).toBe(before);
    expect(blend.learned).toBe(0);
    const { features: more, isTruth } = randomDraft(30);
    expect(blend.learn({ features: more, isTruth, count: 30 })).toBe(true);
    expect(blend.weights).not.toBe(before);
    expect(before).toEqual(DEFAULT_BLEND); // what a ranking read before the step stays as it was
    expect(Object.isFrozen(blend.weights)).toBe(true);
  });

  it("goes on from a state it restores as it would have gone on itself, keeping signals that are off at their initial weight", () => {
    const drafts = Array.from({ length: 6 }, () => ({ ...randomDraft(30), count: 30 }));
    const initial = { ...DEFAULT_BLEND, burst: 0 };
    const whole = new OnlineBlend(initial);
    for (const draft of drafts) whole.learn(draft);
    const first = new OnlineBlend(initial);
    for (const draft of drafts.slice(0, 3)) first.learn(draft);
    const second = new OnlineBlend(initial);
    second.restore(JSON.parse(JSON.stringify(first.state)));
    for (const draft of drafts.slice(3)) second.learn(draft);
    expect(second.state).toEqual(whole.state);
    expect(second.learned).toBe(6);
    // A copy learns apart from its original.
    const copy = second.copy();
    copy.learn(drafts[0]!);
    expect(copy.learned).toBe(7);
    expect(second.state).toEqual(whole.state);
    // A state whose off signal moved (written from other initial weights) leaves it off.
    second.restore({ ...whole.state, weights: { ...whole.state.weights, burst: 3 } });
    expect(second.weights.burst).toBe(0);
  });

  it("rejects a negative or non-numeric learning rate", () => {
    expect(() => new OnlineBlend(DEFAULT_BLEND, { learningRate: -0.1 })).toThrow(/learning rate/);
    expect(() => new OnlineBlend(DEFAULT_BLEND, { learningRate: Number.NaN })).toThrow(/learning rate/);
  });
});
