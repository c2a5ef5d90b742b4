/** Softmax of `logits[from, from + length)` into a new array (numerically stable). */
export function softmax(logits: Float32Array, from: number, length: number): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < length; i++) max = Math.max(max, logits[from + i]!);
  const out = new Float32Array(length);
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const e = Math.exp(logits[from + i]! - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < length; i++) out[i]! /= sum;
  return out;
}

/** Indices of the `k` largest values, largest first, skipping indices for which `skip` is true. */
export function topK(values: Float32Array, k: number, skip: (index: number) => boolean = () => false): number[] {
  const best: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (best.length === k && v <= values[best[k - 1]!]!) continue;
    if (skip(i)) continue;
    let at = best.length;
    while (at > 0 && values[best[at - 1]!]! < v) at -= 1;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best;
}
