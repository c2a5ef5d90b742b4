import { backwardShiftDelete } from "./linear-probing.js";
import { grown } from "./typed-list.js";

/** An empty slot of the pair table. */
const EMPTY = -1;
/** The fewest cells, and slots of the pair table, kept room for. */
const MIN_CELLS = 1024;
const MIN_SLOTS = 1 << 12;

/**
 * A sparse matrix of weights, term id × hashtag id, each cell with the number of tweets that gave
 * it (it goes when the last of them leaves, or, for the stream classifier's weights, which only
 * decay, when a {@link rescale} leaves it too small), kept in a few typed arrays instead of an
 * object per cell: the centroids of 48 hours of tweets are half a million cells, and objects that
 * many make every garbage collection of a busy server slower.
 *
 * A draft reads a term's cells one after another, so {@link rescale} (hourly) packs each term's
 * cells into one run of consecutive cells; cells made since then hang off the term in a linked
 * list, and a packed cell that goes stays in its run with weight 0 until the next packing. A hash
 * table with linear probing finds the cell of a (term, hashtag) pair.
 */
export class WeightMatrix {
  /** Per cell: its term, hashtag, weight and tweets (0: gone), and for a loose cell the next and previous of its term (−1: none). */
  private cellTerm = new Int32Array(MIN_CELLS);
  private cellHashtag = new Int32Array(MIN_CELLS);
  private weight = new Float64Array(MIN_CELLS);
  private cellTweets = new Int32Array(MIN_CELLS);
  private next = new Int32Array(MIN_CELLS);
  private previous = new Int32Array(MIN_CELLS);
  /** Cells below `packed` are in their term's run; above, loose. Loose cells that went are chained through `next` from `free`. */
  private packed = 0;
  private cells = 0;
  private free = -1;
  /** Per term id: its run of packed cells, its first loose cell (−1: none), and its cells in use. */
  private runStart = new Int32Array(1024);
  private runLength = new Int32Array(1024);
  private head = new Int32Array(1024).fill(-1);
  private length = new Int32Array(1024);
  /** The pair table: cell per slot, or EMPTY; at most half full. */
  private table = new Int32Array(MIN_SLOTS).fill(EMPTY);
  private used = 0;

  /** Cells in use. */
  get size(): number {
    return this.used;
  }

  /** Cells of term `term` in use. */
  lengthOf(term: number): number {
    return term < this.length.length ? this.length[term]! : 0;
  }

  /** The weight of (term, hashtag), 0 if it has no cell. */
  get(term: number, hashtag: number): number {
    const cell = this.find(term, hashtag);
    return cell < 0 ? 0 : this.weight[cell]!;
  }

  /**
   * Adds `delta` to the weight of (term, hashtag) and counts one more tweet there, making the cell
   * if need be; returns the new weight.
   */
  add(term: number, hashtag: number, delta: number): number {
    let cell = this.find(term, hashtag);
    if (cell < 0) cell = this.create(term, hashtag);
    this.cellTweets[cell]!++;
    return (this.weight[cell]! += delta);
  }

  /** Takes one tweet's `delta` out of (term, hashtag); the cell goes with its last tweet. */
  subtract(term: number, hashtag: number, delta: number): void {
    const cell = this.find(term, hashtag);
    if (--this.cellTweets[cell]! === 0) this.delete(cell);
    else this.weight[cell]! -= delta;
  }

  /** `into[hashtag] += queryWeight · weight` for each cell of `term`; returns the cells read. */
  accumulate(term: number, queryWeight: number, into: Float64Array): number {
    const { cellHashtag, weight } = this;
    const start = this.runStart[term]!;
    const end = start + this.runLength[term]!;
    for (let cell = start; cell < end; cell++) into[cellHashtag[cell]!]! += queryWeight * weight[cell]!;
    let loose = 0;
    for (let cell = this.head[term]!; cell >= 0; cell = this.next[cell]!, loose++) into[cellHashtag[cell]!]! += queryWeight * weight[cell]!;
    return end - start + loose;
  }

  /** `into[hashtag] = 0` for each cell of `term`: undoes {@link accumulate}. */
  clear(term: number, into: Float64Array): void {
    const { cellHashtag } = this;
    const end = this.runStart[term]! + this.runLength[term]!;
    for (let cell = this.runStart[term]!; cell < end; cell++) into[cellHashtag[cell]!] = 0;
    for (let cell = this.head[term]!; cell >= 0; cell = this.next[cell]!) into[cellHashtag[cell]!] = 0;
  }

  /**
   * Multiplies every weight by `factor`, sets `squaredNorms` to each hashtag's sum of squared
   * weights, and packs each term's cells into one run; cells whose new weight is below
   * `minWeight` in size go (for weights that only decay, nothing subtracts them).
   */
  rescale(factor: number, squaredNorms: Float64Array, minWeight = 0): void {
    squaredNorms.fill(0);
    // Sized for the cells in use, not for the most there ever were: a peak's arrays would be copied every hour after it.
    const capacity = Math.max(MIN_CELLS, 2 * this.used);
    const cellTerm = new Int32Array(capacity);
    const cellHashtag = new Int32Array(capacity);
    const weight = new Float64Array(capacity);
    const cellTweets = new Int32Array(capacity);
    let placed = 0;
    const place = (term: number, cell: number) => {
      if (minWeight > 0 && Math.abs(this.weight[cell]! * factor) < minWeight) return;
      const at = placed++;
      cellTerm[at] = term;
      cellHashtag[at] = this.cellHashtag[cell]!;
      weight[at] = this.weight[cell]! * factor;
      cellTweets[at] = this.cellTweets[cell]!;
      squaredNorms[cellHashtag[at]!]! += weight[at]! * weight[at]!;
    };
    for (let term = 0; term < this.length.length; term++) {
      const start = placed;
      const end = this.runStart[term]! + this.runLength[term]!;
      for (let cell = this.runStart[term]!; cell < end; cell++) if (this.cellTweets[cell]! > 0) place(term, cell);
      for (let cell = this.head[term]!; cell >= 0; cell = this.next[cell]!) place(term, cell);
      this.runStart[term] = start;
      this.runLength[term] = this.length[term] = placed - start;
      this.head[term] = -1;
    }
    this.used = placed;
    Object.assign(this, { cellTerm, cellHashtag, weight, cellTweets, next: new Int32Array(capacity), previous: new Int32Array(capacity) });
    this.packed = this.cells = placed;
    this.free = -1;
    this.rehash(Math.max(MIN_SLOTS, 2 ** Math.ceil(Math.log2(4 * (placed + 1)))));
  }

  private find(term: number, hashtag: number): number {
    const mask = this.table.length - 1;
    for (let i = slotOf(term, hashtag, mask); ; i = (i + 1) & mask) {
      const cell = this.table[i]!;
      if (cell === EMPTY) return -1;
      if (this.cellTerm[cell] === term && this.cellHashtag[cell] === hashtag) return cell;
    }
  }

  /** A loose cell for (term, hashtag), weight 0 and no tweets yet. */
  private create(term: number, hashtag: number): number {
    if (2 * (this.used + 1) > this.table.length) this.rehash(this.table.length * 2);
    let cell = this.free;
    if (cell >= 0) this.free = this.next[cell]!;
    else {
      cell = this.cells++;
      if (cell === this.cellTerm.length) this.growCells();
    }
    this.cellTerm[cell] = term;
    this.cellHashtag[cell] = hashtag;
    this.weight[cell] = 0;
    this.cellTweets[cell] = 0;
    if (term >= this.length.length) this.growTerms(term + 1);
    const first = this.head[term]!;
    this.next[cell] = first;
    this.previous[cell] = -1;
    if (first >= 0) this.previous[first] = cell;
    this.head[term] = cell;
    this.length[term]!++;
    const mask = this.table.length - 1;
    let i = slotOf(term, hashtag, mask);
    while (this.table[i] !== EMPTY) i = (i + 1) & mask;
    this.table[i] = cell;
    this.used++;
    return cell;
  }

  private delete(cell: number): void {
    const term = this.cellTerm[cell]!;
    if (--this.length[term]! === 0) this.runLength[term] = 0; // a term id that is used again starts empty
    const { table } = this;
    const mask = table.length - 1;
    let hole = slotOf(term, this.cellHashtag[cell]!, mask);
    while (table[hole] !== cell) hole = (hole + 1) & mask;
    backwardShiftDelete(hole, mask, {
      isEmpty: (slot) => table[slot] === EMPTY,
      homeOf: (slot) => slotOf(this.cellTerm[table[slot]!]!, this.cellHashtag[table[slot]!]!, mask),
      move: (from, to) => (table[to] = table[from]!),
      clear: (slot) => (table[slot] = EMPTY),
    });
    this.used--;
    this.cellTweets[cell] = 0;
    this.weight[cell] = 0;
    if (cell < this.packed) return; // stays in its run, adding 0, until the next packing
    const before = this.previous[cell]!;
    const after = this.next[cell]!;
    if (before >= 0) this.next[before] = after;
    else this.head[term] = after;
    if (after >= 0) this.previous[after] = before;
    this.next[cell] = this.free;
    this.free = cell;
  }

  private rehash(size: number): void {
    this.table = new Int32Array(size).fill(EMPTY);
    const mask = size - 1;
    for (let cell = 0; cell < this.cells; cell++) {
      if (this.cellTweets[cell] === 0) continue; // gone
      let i = slotOf(this.cellTerm[cell]!, this.cellHashtag[cell]!, mask);
      while (this.table[i] !== EMPTY) i = (i + 1) & mask;
      this.table[i] = cell;
    }
  }

  private growCells(): void {
    const size = this.cellTerm.length * 2;
    this.cellTerm = grown(this.cellTerm, size);
    this.cellHashtag = grown(this.cellHashtag, size);
    this.weight = grown(this.weight, size);
    this.cellTweets = grown(this.cellTweets, size);
    this.next = grown(this.next, size);
    this.previous = grown(this.previous, size);
  }

  private growTerms(size: number): void {
    const capacity = Math.max(size, this.length.length * 2);
    this.head = grown(this.head, capacity, -1);
    this.length = grown(this.length, capacity);
    this.runStart = grown(this.runStart, capacity);
    this.runLength = grown(this.runLength, capacity);
  }
}

/** The home slot of a pair in a table of `mask + 1` slots. */
function slotOf(term: number, hashtag: number, mask: number): number {
  let h = Math.imul(term, 0x9e3779b1) ^ Math.imul(hashtag + 1, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 12)) & mask;
}
