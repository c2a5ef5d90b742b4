import { describe, expect, it } from "vitest";
import { WeightMatrix } from "../../src/retrieval/weight-matrix.js";

describe("WeightMatrix", () => {
  it("keeps the same weights as a map through random adds and subtracts: cells made, freed, reused, packed, the table grown", () => {
    const matrix = new WeightMatrix();
    const reference = new Map<string, { weight: number; tweets: number }>();
    let seed = 5;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const live: [number, number, number][] = []; // (term, hashtag, delta) of each tweet counted
    for (let step = 0; step < 40_000; step++) {
      if (step % 7000 === 6999) matrix.rescale(1, new Float64Array(2000)); // packs the cells; weights unchanged
      if (live.length > 0 && random() < 0.45) {
        const [term, hashtag, delta] = live.splice(Math.floor(random() * live.length), 1)[0]!;
        matrix.subtract(term, hashtag, delta);
        const cell = reference.get(`${term},${hashtag}`)!;
        cell.weight -= delta;
        if (--cell.tweets === 0) reference.delete(`${term},${hashtag}`);
      } else {
        // Few terms, many hashtags: long probe runs and long lists.
        const term = Math.floor(random() ** 3 * 300);
        const hashtag = Math.floor(random() * 2000);
        const delta = 0.5 + Math.floor(random() * 4) / 4; // exact in binary: sums compare exactly
        matrix.add(term, hashtag, delta);
        live.push([term, hashtag, delta]);
        const cell = reference.get(`${term},${hashtag}`) ?? { weight: 0, tweets: 0 };
        cell.weight += delta;
        cell.tweets++;
        reference.set(`${term},${hashtag}`, cell);
      }
    }
    expect(matrix["table"].length).toBeGreaterThan(4096); // the pair table grew (a look inside)
    expect(matrix.size).toBe(reference.size);
    for (const [pair, { weight }] of reference) {
      const [term, hashtag] = pair.split(",").map(Number) as [number, number];
      expect(matrix.get(term, hashtag)).toBe(weight);
    }
    // Each term's list holds exactly its cells.
    for (let term = 0; term < 300; term++) {
      const sums = new Float64Array(2000);
      matrix.accumulate(term, 1, sums);
      const expected = new Float64Array(2000);
      for (const [pair, { weight }] of reference) {
        const [t, hashtag] = pair.split(",").map(Number) as [number, number];
        if (t === term) expected[hashtag] = weight;
      }
      expect(sums).toEqual(expected);
      expect(matrix.lengthOf(term)).toBe(expected.filter((w) => w !== 0).length);
    }
    expect(matrix.get(999, 1)).toBe(0);
  });

  it("rescales every weight and sums each hashtag's squared weights", () => {
    const matrix = new WeightMatrix();
    matrix.add(0, 1, 1);
    matrix.add(1, 1, 2);
    matrix.add(1, 2, 3);
    const norms = new Float64Array(4).fill(7);
    matrix.rescale(0.5, norms);
    expect([...norms]).toEqual([0, 0.25 + 1, 2.25, 0]);
    expect(matrix.get(1, 2)).toBe(1.5);
  });

  it("drops the cells that a rescale leaves below minWeight in size, and takes new ones after, in a table sized for what is left", () => {
    const matrix = new WeightMatrix();
    for (let term = 0; term < 5000; term++) matrix.add(term, term % 7, term % 2 === 0 ? 0.1 : -1);
    const norms = new Float64Array(8);
    matrix.rescale(0.5, norms, 0.2); // 0.05 goes, −0.5 stays
    expect(matrix.size).toBe(2500);
    expect(matrix.lengthOf(2)).toBe(0);
    expect(matrix.lengthOf(3)).toBe(1);
    expect(matrix.get(2, 2)).toBe(0);
    expect(matrix.get(3, 3)).toBe(-0.5);
    expect(norms.reduce((a, b) => a + b, 0)).toBeCloseTo(2500 * 0.25, 9);
    const into = new Float64Array(8);
    expect(matrix.accumulate(2, 1, into)).toBe(0);
    for (let term = 0; term < 5000; term += 2) matrix.add(term, 1, 3);
    expect(matrix.size).toBe(5000);
    expect(matrix.get(2, 1)).toBe(3);
    expect(matrix.accumulate(3, 2, into)).toBe(1);
    expect(into[3]).toBe(-1);
  });
});
