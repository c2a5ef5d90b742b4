/**
 * Indices of the `k` largest values, largest first (ties: the lower index first), skipping indices
 * for which `skip` is true. The best k so far are kept in a binary heap, worst at the root: a
 * newcomer costs log k moves, not the k/2 of a sorted array (the best 100 of 10,000 per draft).
 */
export function topK(values: Float32Array, k: number, skip?: (index: number) => boolean): number[] {
  const size = Math.min(Math.floor(k), values.length);
  if (!(size >= 1)) return [];
  // A heap with the worst kept at the root: indices, and their values beside them.
  const heap = new Int32Array(size);
  const heapValues = new Float64Array(size);
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    // A value equal to the worst kept loses: that one has the lower index.
    if (count === size && !(value > heapValues[0]!)) continue;
    if (skip !== undefined && skip(i)) continue;
    if (count < size) siftUp(heap, heapValues, count++, i, value);
    else siftDown(heap, heapValues, count, i, value);
  }
  // Taking the root (the worst) each time fills the result from the back.
  const best = new Array<number>(count);
  for (let n = count - 1; n >= 0; n--) {
    best[n] = heap[0]!;
    siftDown(heap, heapValues, n, heap[n]!, heapValues[n]!);
  }
  return best;
}

/** Whether (`a`, its value `av`) ranks below (`b`, `bv`): a lower value, or an equal one at a higher index. */
function worse(a: number, av: number, b: number, bv: number): boolean {
  return av < bv || (av === bv && a > b);
}

/** Adds (`index`, `value`) as the heap's entry `at` (its size before) and moves it up to its place. */
function siftUp(heap: Int32Array, heapValues: Float64Array, at: number, index: number, value: number): void {
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (!worse(index, value, heap[parent]!, heapValues[parent]!)) break;
    heap[at] = heap[parent]!;
    heapValues[at] = heapValues[parent]!;
    at = parent;
  }
  heap[at] = index;
  heapValues[at] = value;
}

/** Puts (`index`, `value`) at the root of the heap's first `count` entries and moves it down to its place. */
function siftDown(heap: Int32Array, heapValues: Float64Array, count: number, index: number, value: number): void {
  let at = 0;
  for (;;) {
    let child = 2 * at + 1;
    if (child >= count) break;
    const right = child + 1;
    if (right < count && worse(heap[right]!, heapValues[right]!, heap[child]!, heapValues[child]!)) child = right;
    if (!worse(heap[child]!, heapValues[child]!, index, value)) break;
    heap[at] = heap[child]!;
    heapValues[at] = heapValues[child]!;
    at = child;
  }
  heap[at] = index;
  heapValues[at] = value;
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
