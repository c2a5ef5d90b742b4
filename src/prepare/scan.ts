import { dedupeKey, toExample } from "../data/examples.js";
import type { TweetSource } from "../data/readers.js";
import type { MalformedRows } from "../data/tweet.js";
import { hasWord } from "./filters.js";
import { KeptRowWriter } from "./kept-rows.js";

/**
 * What the first pass read, kept and dropped.
 *
 * @example
 * ```ts
 * // tweets-2023: { read: 246294, emptyQuery: 0, noWord: 16, duplicates: 9927, kept: 236351, … }
 * ```
 */
export interface ScanStats {
  /** Rows the reader yielded (malformed rows not included). */
  read: number;
  malformed: MalformedRows;
  /** Cleaned query empty (hashtags, links and a retweet prefix only). */
  emptyQuery: number;
  /** Cleaned query without a letter outside @mentions. */
  noWord: number;
  /** Same lower-cased cleaned query as an earlier row. */
  duplicates: number;
  kept: number;
  /** Kept rows without a time (they go to training). */
  withoutTime: number;
  /** Earliest and latest time of the kept rows (ms), or undefined when none has a time. */
  minTime: number | undefined;
  maxTime: number | undefined;
}

/**
 * First pass of `prepare`: cleans every tweet with the shared cleaning function, drops empty
 * and wordless queries and repeats (by lower-cased cleaned query, first one kept), and writes
 * the rest to `rowsPath`. Memory: the set of distinct queries.
 *
 * @example
 * ```ts
 * const stats = await scanTweets(await openTweets("tweets.jsonl.gz"), "/tmp/kept.jsonl");
 * stats.kept; // rows written
 * ```
 */
export async function scanTweets(source: TweetSource, rowsPath: string, onRow?: (read: number) => void): Promise<ScanStats> {
  const stats: ScanStats = {
    read: 0,
    malformed: source.malformed,
    emptyQuery: 0,
    noWord: 0,
    duplicates: 0,
    kept: 0,
    withoutTime: 0,
    minTime: undefined,
    maxTime: undefined,
  };
  const seen = new Set<string>();
  const out = new KeptRowWriter(rowsPath);
  try {
    for await (const tweet of source.rows) {
      stats.read += 1;
      onRow?.(stats.read);
      const example = toExample(tweet);
      if (example.query.length === 0) {
        stats.emptyQuery += 1;
        continue;
      }
      if (!hasWord(example.query)) {
        stats.noWord += 1;
        continue;
      }
      const key = dedupeKey(example);
      if (seen.has(key)) {
        stats.duplicates += 1;
        continue;
      }
      seen.add(key);
      stats.kept += 1;
      if (example.time === undefined) stats.withoutTime += 1;
      else {
        stats.minTime = Math.min(stats.minTime ?? Infinity, example.time);
        stats.maxTime = Math.max(stats.maxTime ?? -Infinity, example.time);
      }
      const tags = example.mentions.map((m): [string, string] => [m.key, m.display]);
      await out.write({ time: example.time ?? null, text: tweet.text, query: example.query, tags });
    }
  } finally {
    await out.close();
  }
  return stats;
}
