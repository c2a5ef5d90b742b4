/**
 * Keys sorted for prefix lookups (binary search to the first match, then a scan).
 *
 * @example
 * ```ts
 * new PrefixIndex(["mayday", "mastodon", "other"]).find("ma", 10); // ["mastodon", "mayday"]
 * ```
 */
export class PrefixIndex {
  private readonly sorted: string[];

  constructor(keys: Iterable<string>) {
    this.sorted = [...new Set(keys)].sort();
  }

  /** Up to `limit` keys that start with `prefix`, in code-unit order. */
  find(prefix: string, limit: number): string[] {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.sorted[mid]! < prefix) low = mid + 1;
      else high = mid;
    }
    const found: string[] = [];
    for (let i = low; i < this.sorted.length && found.length < limit && this.sorted[i]!.startsWith(prefix); i++) found.push(this.sorted[i]!);
    return found;
  }
}
