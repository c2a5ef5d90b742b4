import { backwardShiftDelete } from "./linear-probing.js";
import { grown } from "./typed-list.js";

/** An empty slot of the table. */
const EMPTY = -1;

/** The two halves of the last fingerprint computed (one per call; JavaScript runs one at a time). */
let fingerprintA = 0;
let fingerprintB = 0;

/**
 * Term → small integer id, for the centroid index's 140,000 terms of 48 hours. A term is known by a
 * 64-bit fingerprint of its text (two 32-bit hashes; two terms of a window share one with a
 * probability of about 10⁻⁹), so the dictionary keeps no strings: it is typed arrays, which the
 * garbage collector skips. Each slot of its table holds a fingerprint and its id side by side, so
 * a lookup reads one place in memory, where a `Map` reads an entry and then its key string.
 */
export class TermDictionary {
  /** Slot i: fingerprint halves at 3i and 3i + 1, the id (or EMPTY) at 3i + 2; at most half the slots used. */
  private table = new Int32Array(3 << 12).fill(EMPTY);
  /** Per id: its fingerprint, to find its slot when it is deleted. */
  private hashA = new Int32Array(1024);
  private hashB = new Int32Array(1024);
  private ids = 0;
  private readonly freeIds: number[] = [];
  private used = 0;

  /** Terms in the dictionary. */
  get size(): number {
    return this.used;
  }

  /** The term's id, or undefined. */
  find(term: string): number | undefined {
    fingerprint(term);
    const id = this.table[3 * this.slotOf(fingerprintA, fingerprintB) + 2]!;
    return id === EMPTY ? undefined : id;
  }

  /** The term's id, given one if it has none. */
  add(term: string): number {
    fingerprint(term);
    const a = fingerprintA;
    const b = fingerprintB;
    let slot = this.slotOf(a, b);
    if (this.table[3 * slot + 2] !== EMPTY) return this.table[3 * slot + 2]!;
    if (2 * (this.used + 1) > this.slots) {
      this.rehash(this.slots * 2);
      slot = this.slotOf(a, b);
    }
    const id = this.freeIds.pop() ?? this.ids++;
    if (id >= this.hashA.length) {
      this.hashA = grown(this.hashA, this.hashA.length * 2);
      this.hashB = grown(this.hashB, this.hashB.length * 2);
    }
    this.hashA[id] = a;
    this.hashB[id] = b;
    this.table[3 * slot] = a;
    this.table[3 * slot + 1] = b;
    this.table[3 * slot + 2] = id;
    this.used++;
    return id;
  }

  /** Forgets the term with this id; the id may be handed out again. */
  delete(id: number): void {
    const { table } = this;
    const mask = this.slots - 1;
    backwardShiftDelete(this.slotOf(this.hashA[id]!, this.hashB[id]!), mask, {
      isEmpty: (slot) => table[3 * slot + 2] === EMPTY,
      homeOf: (slot) => table[3 * slot]! & mask,
      move: (from, to) => table.copyWithin(3 * to, 3 * from, 3 * from + 3),
      clear: (slot) => (table[3 * slot + 2] = EMPTY),
    });
    this.freeIds.push(id);
    this.used--;
  }

  private get slots(): number {
    return this.table.length / 3;
  }

  /** The slot holding the fingerprint (a, b), or the empty slot where it would go. */
  private slotOf(a: number, b: number): number {
    const { table } = this;
    const mask = this.slots - 1;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      if (table[3 * i + 2] === EMPTY || (table[3 * i] === a && table[3 * i + 1] === b)) return i;
    }
  }

  private rehash(slots: number): void {
    const old = this.table;
    this.table = new Int32Array(3 * slots).fill(EMPTY);
    const mask = slots - 1;
    for (let j = 0; j < old.length; j += 3) {
      if (old[j + 2] === EMPTY) continue;
      let i = old[j]! & mask;
      while (this.table[3 * i + 2] !== EMPTY) i = (i + 1) & mask;
      this.table.set(old.subarray(j, j + 3), 3 * i);
    }
  }
}

/** Two independent 32-bit hashes of a string's UTF-16 code units (murmur3-style mixing), into fingerprintA/B. */
function fingerprint(text: string): void {
  let a = 0x811c9dc5 ^ text.length;
  let b = 0x2545f491;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  a = Math.imul(a, 0xc2b2ae35);
  a ^= a >>> 16;
  b ^= b >>> 13;
  b = Math.imul(b, 0x27d4eb2f);
  b ^= b >>> 16;
  fingerprintA = a;
  fingerprintB = b;
}
