import { describe, expect, it } from "vitest";
import { topK, topKeys } from "../../src/recommend/top-k.js";

describe("topK and topKeys", () => {
  it("topK gives the indices of the largest values, largest first, skipping as asked", () => {
    expect(topK(Float32Array.from([0.1, 0.5, 0.3, 0.9]), 2)).toEqual([3, 1]);
    expect(topK(Float32Array.from([0.1, 0.5, 0.3, 0.9]), 2, (i) => i === 3)).toEqual([1, 2]);
    expect(topK(Float32Array.from([0.1, 0.5, 0.3, 0.9, 0.2]), 2.5)).toEqual([3, 1]); // k rounds down
    expect(topK(Float32Array.from([0.1, 0.5]), 0)).toEqual([]);
  });

  it("topKeys gives the keys of the largest values, largest first, ties in the order met", () => {
    const votes = new Map([["a", 0.2], ["b", 0.7], ["c", 0.2], ["d", 0.1], ["e", 0.9]]);
    expect(topKeys(votes, 3)).toEqual(["e", "b", "a"]);
    expect(topKeys(votes, 10)).toEqual(["e", "b", "a", "c", "d"]);
    expect(topKeys(new Map(), 3)).toEqual([]);
  });
});

describe("topK against a full sort", () => {
  it("agrees on random scores with many ties, for every k", () => {
    let seed = 11;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (const n of [0, 1, 7, 300, 5000]) {
      const values = Float32Array.from({ length: n }, () => Math.round(random() * 50) / 50);
      const skip = (i: number) => i % 13 === 0;
      const sorted = [...values.keys()].filter((i) => !skip(i)).sort((a, b) => values[b]! - values[a]! || a - b);
      for (const k of [1, 2, 5, 100, 1000, n + 3]) expect(topK(values, k, skip)).toEqual(sorted.slice(0, k));
    }
  });

  it("agrees without a skip (selection by bucket), on ties, spread-out values, zeros and the values that fall back to the heap", () => {
    let seed = 3;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const arrays = [
      Float32Array.from({ length: 5000 }, () => Math.round(random() * 50) / 50), // many ties
      Float32Array.from({ length: 10000 }, () => Math.exp(-30 * random())), // softmax-like spread
      Float32Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? random() : 0)), // mostly zeros
      new Float32Array(2000), // all zeros
      Float32Array.from({ length: 4000 }, () => random() - 0.5), // negatives: the heap
      Float32Array.from({ length: 4000 }, (_, i) => (i === 17 ? Infinity : random())),
      Float32Array.from({ length: 4000 }, (_, i) => (i % 97 === 0 ? random() : 0.25)), // a crowded bucket: the heap
    ];
    for (const values of arrays) {
      const sorted = [...values.keys()].sort((a, b) => values[b]! - values[a]! || a - b);
      for (const k of [1, 3, 50, 100, 400]) expect(topK(values, k)).toEqual(sorted.slice(0, k));
      // A view into a larger buffer reads only its own values.
      const padded = new Float32Array(values.length + 8).fill(9);
      padded.set(values, 4);
      expect(topK(padded.subarray(4, 4 + values.length), 100)).toEqual(sorted.slice(0, 100));
    }
    // NaN has no place in a full sort; both ways must at least agree (and the bucket path must not take it).
    const withNaN = Float32Array.from({ length: 4000 }, (_, i) => (i === 5 ? NaN : random()));
    expect(topK(withNaN, 100)).toEqual(topK(withNaN, 100, () => false));
  });
});

describe("topKeys against a full sort", () => {
  it("agrees on random votes with many ties, for every k", () => {
    let seed = 5;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (const n of [0, 1, 9, 400]) {
      const votes = new Map(Array.from({ length: n }, (_, i) => [`k${i}`, Math.round(random() * 20) / 20] as [string, number]));
      for (const k of [0, 1, 3, 50, n + 2]) expect(topKeys(votes, k)).toEqual([...votes].sort((a, b) => b[1] - a[1]).slice(0, Math.max(k, 0)).map(([key]) => key));
    }
  });
});
