import { readFile, writeFile } from "node:fs/promises";
import { HashtagRecError } from "../core/errors.js";
import type { HashtagMention } from "./hashtags.js";
import { hashtagKey } from "./hashtags.js";

const DAY_MS = 86_400_000;

/** One entry of `hashtags.json`. Times are ISO 8601 strings, or null where the data had none. */
export interface HashtagEntry {
  key: string;
  display: string;
  /** Tweets that carry the hashtag (each tweet counted once). */
  count: number;
  days: number;
  first_seen: string | null;
  last_seen: string | null;
}

interface Tally {
  count: number;
  displays: Map<string, number>;
  days: Set<number>;
  first: number;
  last: number;
}

/**
 * Usage counts per hashtag key: tweets, distinct days, first and last seen, and the display
 * casing most used (`#AnzacDay` over `#anzacday` when more people wrote it so).
 *
 * @example
 * ```ts
 * const counts = new HashtagCounter();
 * counts.add(analyzeText("Lest we forget #AnzacDay").mentions, Date.parse("2023-04-25"));
 * counts.top({ k: 10, minCount: 1 })[0]; // { key: "anzacday", display: "AnzacDay", count: 1, days: 1, ... }
 * ```
 */
export class HashtagCounter {
  private readonly tallies = new Map<string, Tally>();

  get size(): number {
    return this.tallies.size;
  }

  /** Counts one tweet's hashtags (each key once per tweet, each casing once per tweet). */
  add(mentions: readonly HashtagMention[], time: number | undefined): void {
    const seen = new Set<string>();
    for (const mention of mentions) {
      let tally = this.tallies.get(mention.key);
      if (!tally) {
        tally = { count: 0, displays: new Map(), days: new Set(), first: Infinity, last: -Infinity };
        this.tallies.set(mention.key, tally);
      }
      if (seen.has(mention.key)) continue;
      seen.add(mention.key);
      tally.count += 1;
      tally.displays.set(mention.display, (tally.displays.get(mention.display) ?? 0) + 1);
      if (time !== undefined) {
        tally.days.add(Math.floor(time / DAY_MS));
        tally.first = Math.min(tally.first, time);
        tally.last = Math.max(tally.last, time);
      }
    }
  }

  count(key: string): number {
    return this.tallies.get(key)?.count ?? 0;
  }

  /**
   * The `k` most used keys with at least `minCount` tweets, most used first (ties: key order),
   * leaving out blocked keys. `k` undefined keeps every key over the minimum.
   */
  top(options: { k?: number | undefined; minCount?: number; blocklist?: ReadonlySet<string> } = {}): HashtagEntry[] {
    const minCount = options.minCount ?? 1;
    const entries: HashtagEntry[] = [];
    for (const [key, tally] of this.tallies) {
      if (tally.count < minCount || options.blocklist?.has(key)) continue;
      entries.push(toEntry(key, tally));
    }
    entries.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
    return options.k === undefined ? entries : entries.slice(0, options.k);
  }
}

function toEntry(key: string, tally: Tally): HashtagEntry {
  let display = key;
  let best = 0;
  for (const [casing, uses] of tally.displays) {
    if (uses > best || (uses === best && casing < display)) {
      display = casing;
      best = uses;
    }
  }
  const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : null);
  return { key, display, count: tally.count, days: tally.days.size, first_seen: iso(tally.first), last_seen: iso(tally.last) };
}

/** Reads a blocklist: one hashtag a line (with or without `#`), `#`-only lines and blanks ignored. */
export async function readBlocklist(path: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new HashtagRecError("FILE_NOT_FOUND", `cannot read blocklist '${path}'`, { cause: error });
  }
  const keys = new Set<string>();
  for (const line of text.split(/\r?\n/u)) {
    const trimmed = line.trim();
    if (trimmed.length === 0 || trimmed.startsWith("# ") || trimmed === "#") continue;
    keys.add(hashtagKey(trimmed));
  }
  return keys;
}

/** Writes `hashtags.json`: a JSON array of {@link HashtagEntry}, most used first. */
export async function writeHashtags(path: string, entries: readonly HashtagEntry[]): Promise<void> {
  await writeFile(path, JSON.stringify(entries, null, 0).replace(/\},\{/gu, "},\n{") + "\n");
}
