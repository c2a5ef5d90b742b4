import { grown } from "./typed-list.js";

/** An empty slot of the table. */
const EMPTY = -1;

/** The two halves of the last fingerprint computed (one per call; JavaScript runs one at a time). */
let fingerprintA = 0;
let fingerprintB = 0;

/**
 * Term → small integer id, for the centroid index's 140,000 terms of 48 hours. A term is known by a
 * 64-bit fingerprint of its text (two 32-bit hashes; two terms of a window share one with a
 * probability of about 10⁻⁹), so the dictionary keeps no strings: it is three typed arrays, which
 * the garbage collector skips, and a lookup reads one slot of a compact table instead of a
 * `Map`'s entry and key string.
 */
export class TermDictionary {
  private table = new Int32Array(1 << 12).fill(EMPTY);
  /** Per id: the fingerprint, and whether the id is in use. */
  private hashA = new Int32Array(1024);
  private hashB = new Int32Array(1024);
  private live = new Uint8Array(1024);
  private ids = 0;
  private readonly freeIds: number[] = [];
  private used = 0;

  /** Terms in the dictionary. */
  get size(): number {
    return this.used;
  }

  /** One more than the highest id handed out. */
  get idLimit(): number {
    return this.ids;
  }

  /** The term's id, or undefined. */
  find(term: string): number | undefined {
    fingerprint(term);
    const slot = this.slotOf(fingerprintA, fingerprintB);
    const id = this.table[slot]!;
    return id === EMPTY ? undefined : id;
  }

  /** The term's id, given one if it has none. */
  add(term: string): number {
    fingerprint(term);
    const a = fingerprintA;
    const b = fingerprintB;
    let slot = this.slotOf(a, b);
    if (this.table[slot] !== EMPTY) return this.table[slot]!;
    if (2 * (this.used + 1) > this.table.length) {
      this.rehash(this.table.length * 2);
      slot = this.slotOf(a, b);
    }
    const id = this.freeIds.pop() ?? this.ids++;
    if (id >= this.live.length) this.grow();
    this.hashA[id] = a;
    this.hashB[id] = b;
    this.live[id] = 1;
    this.table[slot] = id;
    this.used++;
    return id;
  }

  /** Forgets the term with this id; the id may be handed out again. */
  delete(id: number): void {
    const { table } = this;
    const mask = table.length - 1;
    let hole = this.slotOf(this.hashA[id]!, this.hashB[id]!);
    // Backward shift: later ids of the probe run move up into the hole.
    for (let i = (hole + 1) & mask; table[i] !== EMPTY; i = (i + 1) & mask) {
      const other = table[i]!;
      const home = this.hashA[other]! & mask;
      // `other` may move to the hole unless its home lies cyclically in (hole, i].
      if (((i - home) & mask) >= ((i - hole) & mask)) {
        table[hole] = other;
        hole = i;
      }
    }
    table[hole] = EMPTY;
    this.live[id] = 0;
    this.freeIds.push(id);
    this.used--;
  }

  /** The slot holding the fingerprint (a, b), or the empty slot where it would go. */
  private slotOf(a: number, b: number): number {
    const { table, hashA, hashB } = this;
    const mask = table.length - 1;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const id = table[i]!;
      if (id === EMPTY || (hashA[id] === a && hashB[id] === b)) return i;
    }
  }

  private rehash(size: number): void {
    this.table = new Int32Array(size).fill(EMPTY);
    const mask = size - 1;
    for (let id = 0; id < this.ids; id++) {
      if (this.live[id] === 0) continue;
      let i = this.hashA[id]! & mask;
      while (this.table[i] !== EMPTY) i = (i + 1) & mask;
      this.table[i] = id;
    }
  }

  private grow(): void {
    const size = this.live.length * 2;
    this.hashA = grown(this.hashA, size);
    this.hashB = grown(this.hashB, size);
    this.live = grown(this.live, size);
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
