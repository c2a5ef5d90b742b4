/**
 * The `capacity` highest-scoring keys, kept sorted, for scores that only ever grow (counts,
 * or time-decayed counts in a growing scale). Because no score falls, a key outside the list
 * can only enter it by passing the last one, so the list is exact at all times.
 */
export class GrowingTopList {
  private readonly keys: string[] = [];
  private readonly members = new Set<string>();

  constructor(
    private readonly capacity: number,
    private readonly scoreOf: (key: string) => number,
  ) {}

  /** Call after `key`'s score grew. */
  bump(key: string): void {
    const score = this.scoreOf(key);
    let at: number;
    if (this.members.has(key)) {
      at = this.keys.indexOf(key);
    } else {
      const last = this.keys[this.keys.length - 1];
      if (this.keys.length >= this.capacity && last !== undefined && score <= this.scoreOf(last)) return;
      this.members.add(key);
      this.keys.push(key);
      at = this.keys.length - 1;
    }
    // Move up past every key with a lower score; equal scores keep their older place.
    while (at > 0 && this.scoreOf(this.keys[at - 1]!) < score) {
      this.keys[at] = this.keys[at - 1]!;
      at -= 1;
    }
    this.keys[at] = key;
    if (this.keys.length > this.capacity) this.members.delete(this.keys.pop()!);
  }

  has(key: string): boolean {
    return this.members.has(key);
  }

  get size(): number {
    return this.keys.length;
  }

  /** Keys best first. */
  list(): readonly string[] {
    return this.keys;
  }
}
