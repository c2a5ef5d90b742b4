/**
 * Indices of the `k` largest values, largest first (ties: the lower index first), skipping indices
 * for which `skip` is true.
 *
 * Without `skip`, on non-negative values (probabilities: the best 100 of 10,000 per draft) it
 * selects by bucket: a histogram of the values' float bits (exponent and 3 mantissa bits) finds
 * the lowest bucket that holds k of them, a second pass takes those (about k), and only they are
 * sorted: 24 µs a draft instead of 35 for the heap below (bench/top-k.ts). Otherwise (a `skip`,
 * negative or NaN values, k above an eighth of the values, or a bucket crowded with ties) the best
 * k so far are kept in a binary heap, worst at the root: a newcomer costs log k moves.
 */
export function topK(values: Float32Array, k: number, skip?: (index: number) => boolean): number[] {
  const size = Math.min(Math.floor(k), values.length);
  if (!(size >= 1)) return [];
  if (skip === undefined && values.length <= MAX_BUCKETED && size * 8 <= values.length) {
    const best = topKByBucket(values, size);
    if (best !== undefined) return best;
  }
  return topKByHeap(values, size, skip);
}

/** Float bits (as int32) shifted right by this give a value's bucket: 1/8 of an octave. */
const BUCKET_SHIFT = 20;
/** The bits of +Infinity: non-negative floats up to it order as their bits do; above it are NaNs. */
const INFINITY_BITS = 0x7f800000;
/** Sort keys pack an index into the low 22 bits of a float64's 53. */
const INDEX_BITS = 2 ** 22;
const MAX_BUCKETED = INDEX_BITS;
/** The most values taken (and sorted) per value wanted before the heap is cheaper. */
const MAX_HELD_PER_WANTED = 8;
const histogram = new Uint32Array((INFINITY_BITS >>> BUCKET_SHIFT) + 1);
let keys = new Float64Array(256);

/**
 * {@link topK} by bucket, or `undefined` when a value is negative or NaN, or when the bucket that
 * completes k holds too many (the heap takes those).
 */
function topKByBucket(values: Float32Array, size: number): number[] | undefined {
  const n = values.length;
  const bits = new Int32Array(values.buffer, values.byteOffset, n);
  histogram.fill(0);
  for (let i = 0; i < n; i++) {
    const b = bits[i]!;
    if (b < 0 || b > INFINITY_BITS) return undefined;
    histogram[b >>> BUCKET_SHIFT]!++;
  }
  // The lowest bucket such that it and those above hold at least `size` values.
  let bucket = histogram.length - 1;
  let held = histogram[bucket]!;
  while (held < size) held += histogram[--bucket]!;
  // Values tied in great numbers (zeros, say) fill one bucket: sorting it all would cost more than the heap.
  if (held > MAX_HELD_PER_WANTED * size) return undefined;
  const floor = bucket << BUCKET_SHIFT;
  if (keys.length < held) keys = new Float64Array(held * 2);
  // Ascending keys: the largest value first, and for equal values the lower index.
  let count = 0;
  for (let i = 0; i < n; i++) {
    const b = bits[i]!;
    if (b >= floor) keys[count++] = (INFINITY_BITS - b) * INDEX_BITS + i;
  }
  const sorted = keys.subarray(0, count).sort();
  const best = new Array<number>(size);
  for (let m = 0; m < size; m++) best[m] = sorted[m]! % INDEX_BITS;
  return best;
}

function topKByHeap(values: Float32Array, size: number, skip: ((index: number) => boolean) | undefined): number[] {
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
