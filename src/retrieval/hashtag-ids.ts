/**
 * Hashtag key → small integer id, for indexes that keep per-hashtag typed arrays. The
 * `indexedKeys` (the model's hashtags) take ids 0, 1, … in their order and keep them for good, so
 * that ranking reads them by place; other hashtags get the lowest free id and give it back when the
 * index forgets them.
 */
export class HashtagIds {
  private readonly idOf = new Map<string, number>();
  private readonly keyOf: (string | undefined)[] = [];
  private readonly freeIds: number[] = [];
  /** How many ids are the `indexedKeys`' (they are never released). */
  readonly indexed: number;

  constructor(indexedKeys: readonly string[] = []) {
    this.indexed = indexedKeys.length;
    indexedKeys.forEach((key, id) => {
      this.idOf.set(key, id);
      this.keyOf[id] = key;
    });
  }

  /** One past the largest id given so far: the size per-hashtag arrays need. */
  get capacity(): number {
    return this.keyOf.length;
  }

  /** The key's id, or undefined. */
  find(key: string): number | undefined {
    return this.idOf.get(key);
  }

  /** Whether `id` is in use. */
  has(id: number): boolean {
    return this.keyOf[id] !== undefined;
  }

  /** A new id for a key that has none (check with {@link find} first). */
  add(key: string): number {
    const id = this.freeIds.pop() ?? this.keyOf.length;
    this.idOf.set(key, id);
    this.keyOf[id] = key;
    return id;
  }

  /** Gives the id back, unless it is an indexed key's. */
  release(id: number): void {
    const key = this.keyOf[id];
    if (id < this.indexed || key === undefined) return;
    this.idOf.delete(key);
    this.keyOf[id] = undefined;
    this.freeIds.push(id);
  }
}
