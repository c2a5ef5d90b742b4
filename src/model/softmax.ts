/**
 * The softmax of each row of a row-major `[rows, size]` matrix (numerically stable), into a new
 * array: for graphs exported before `hashtag_probabilities` was one of their outputs.
 */
export function softmaxRows(logits: Float32Array, rows: number, size: number): Float32Array {
  const out = new Float32Array(rows * size);
  for (let from = 0; from < rows * size; from += size) {
    let max = -Infinity;
    for (let i = from; i < from + size; i++) if (logits[i]! > max) max = logits[i]!;
    let sum = 0;
    for (let i = from; i < from + size; i++) {
      const e = Math.exp(logits[i]! - max);
      out[i] = e;
      sum += e;
    }
    for (let i = from; i < from + size; i++) out[i]! /= sum;
  }
  return out;
}
