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

/** The `k` keys with the largest values, largest first (ties: the first met first). */
export function topKeys(values: ReadonlyMap<string, number>, k: number): string[] {
  if (k < 1) return [];
  const best: [string, number][] = [];
  for (const entry of values) {
    if (best.length === k && entry[1] <= best[k - 1]![1]) continue;
    let at = best.length;
    while (at > 0 && best[at - 1]![1] < entry[1]) at -= 1;
    best.splice(at, 0, entry);
    if (best.length > k) best.pop();
  }
  return best.map(([key]) => key);
}
