import { readLines } from "../data/lines.js";
import type { HashtagMention } from "../data/hashtags.js";
import { StreamWriter } from "./line-writer.js";

/**
 * A tweet that passed cleaning, filtering and deduplication, as kept between the passes of
 * `prepare` (a temporary JSON-lines file, so no pass holds the corpus in memory).
 *
 * @example
 * ```ts
 * const row: KeptRow = { time: 1682387674000, text: "Dawn #AnzacDay", query: "Dawn", tags: [["anzacday", "AnzacDay"]] };
 * ```
 */
export interface KeptRow {
  /** Milliseconds since the epoch, or null where the source had no time. */
  time: number | null;
  /** The raw text (the encoder reads hashtags, links and mentions from it). */
  text: string;
  /** The cleaned query (`analyzeText`). */
  query: string;
  /** Hashtag mentions as `[key, display]`, duplicates kept (as `HashtagCounter.add` wants them). */
  tags: [string, string][];
}

/**
 * Writes kept rows, one JSON array a line.
 *
 * @example
 * ```ts
 * const w = new KeptRowWriter("/tmp/rows.jsonl");
 * await w.write({ time: 0, text: "hi #a", query: "hi", tags: [["a", "a"]] });
 * await w.close();
 * ```
 */
export class KeptRowWriter {
  private readonly out: StreamWriter;

  constructor(path: string) {
    this.out = new StreamWriter(path);
  }

  async write(row: KeptRow): Promise<void> {
    await this.out.write(JSON.stringify([row.time, row.text, row.query, row.tags]) + "\n");
  }

  close(): Promise<void> {
    return this.out.close();
  }
}

/**
 * Reads back what {@link KeptRowWriter} wrote, in order.
 *
 * @example
 * ```ts
 * for await (const row of readKeptRows("/tmp/rows.jsonl")) console.log(row.query);
 * ```
 */
export async function* readKeptRows(path: string): AsyncGenerator<KeptRow> {
  for await (const { text } of readLines(path)) {
    if (text.length === 0) continue;
    const [time, raw, query, tags] = JSON.parse(text) as [number | null, string, string, [string, string][]];
    yield { time, text: raw, query, tags };
  }
}

/**
 * The tags of a kept row as mentions for `HashtagCounter.add` (offsets are not kept).
 *
 * @example
 * ```ts
 * counter.add(tagMentions(row), row.time ?? undefined);
 * ```
 */
export function tagMentions(row: KeptRow): HashtagMention[] {
  return row.tags.map(([key, display]) => ({ key, display, start: 0, end: 0 }));
}
