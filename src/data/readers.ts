import type { Readable } from "node:stream";
import { invalidArgument, HashtagRecError } from "../core/errors.js";
import { parseCsv } from "./csv.js";
import { assertReadableFile, linesOf, openText, peek, STDIN } from "./lines.js";
import { MalformedRows, type Tweet } from "./tweet.js";

/** Which source fields hold the id, time and text. Dotted paths reach into JSON objects. */
export interface FieldOptions {
  textField?: string;
  idField?: string;
  timeField?: string;
  /** `jsonl` or `csv`; by default from the file name, else from the first character. */
  format?: TweetFormat;
}

export type TweetFormat = "jsonl" | "csv" | "tsv";

/**
 * Names tried, in order, when no field is given: for each row, the first that is not empty
 * (absent, null, or blanks only); lower case; CSV headers match case-insensitively; dotted paths
 * reach into JSON objects.
 */
export const FIELD_ALIASES = {
  // The full text of a long post before `text`, which the APIs cut: Twitter API v2's `note_tweet`,
  // v1.1's `extended_tweet` (compatibility mode) and `full_text` (extended mode).
  // `reblog.content`: a Mastodon boost, whose own `content` is empty, carries the boosted post's.
  text: ["note_tweet.text", "extended_tweet.full_text", "full_text", "text", "tweet", "content", "body", "reblog.content"],
  id: ["id", "id_str", "tweet_id", "status_id"],
  time: ["created_at", "date", "timestamp", "time", "datetime", "createdat"],
} as const;

/** A stream of tweets and, filled in as it is read, the rows that could not be used. */
export interface TweetSource {
  path: string;
  rows: AsyncGenerator<Tweet>;
  malformed: MalformedRows;
}

/**
 * Parses a time value: ISO 8601 or RFC 2822 strings (Twitter's `Wed Oct 10 20:19:24 +0000 2018`),
 * or epoch numbers (seconds below 1e11, else milliseconds). Returns NaN when it cannot.
 */
export function parseTime(value: unknown): number {
  if (typeof value === "number") return value < 1e11 ? value * 1000 : value;
  if (typeof value !== "string") return Number.NaN;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/u.test(trimmed)) return parseTime(Number(trimmed));
  return Date.parse(trimmed);
}

function formatOf(path: string, requested: TweetFormat | undefined): TweetFormat | undefined {
  if (requested) return requested;
  const name = path.toLowerCase().replace(/\.gz$/u, "");
  if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) return "jsonl";
  if (name.endsWith(".csv")) return "csv";
  if (name.endsWith(".tsv")) return "tsv";
  return undefined;
}

/** How much leading whitespace sniffing reads before it gives up and says JSON lines. */
const SNIFF_LIMIT = 64 * 1024;

/** JSON lines when the text's first character other than whitespace is `{`, else CSV; with the text to read from the start. */
async function sniffFormat(text: Readable, path: string): Promise<{ format: TweetFormat; text: Readable }> {
  let peeked;
  try {
    peeked = await peek(text, (chunks) => {
      const head = chunks.join("");
      return /\S/u.test(head) || head.length >= SNIFF_LIMIT;
    });
  } catch (error) {
    text.destroy();
    throw new HashtagRecError("UNREADABLE_FILE", `cannot read '${path}': ${(error as Error).message}`, { cause: error });
  }
  const first = /\S/u.exec(peeked.head.join(""))?.[0];
  return { format: first === undefined || first === "{" ? "jsonl" : "csv", text: peeked.stream };
}

function getPath(object: unknown, path: string): unknown {
  let value: unknown = object;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Whether a field holds nothing to read: absent, null, or a string of blanks. */
function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim().length === 0);
}

/** The first of `values` that is not empty ({@link isEmpty}); undefined when all are. */
function firstNotEmpty(values: readonly unknown[]): unknown {
  return values.find((value) => !isEmpty(value));
}

function firstPresent(object: Record<string, unknown>, names: readonly string[]): unknown {
  return firstNotEmpty(names.map((name) => getPath(object, name)));
}

/** Turns one record into a tweet, or a reason why not. Shared by both formats. */
function toTweet(
  line: number,
  text: unknown,
  id: unknown,
  time: unknown,
): { tweet: Tweet } | { reason: string } {
  if (typeof text !== "string" || isEmpty(text)) return { reason: "missing text" };
  let createdAt: number | undefined;
  if (!isEmpty(time)) {
    createdAt = parseTime(time);
    if (!Number.isFinite(createdAt)) return { reason: `bad date '${String(time).slice(0, 40)}'` };
  }
  const tweetId = !isEmpty(id) && (typeof id === "string" || typeof id === "number" || typeof id === "bigint") ? String(id) : `line-${line}`;
  return { tweet: { id: tweetId, createdAt, text, line } };
}

async function* jsonlRows(path: string, stream: Readable, fields: FieldOptions, malformed: MalformedRows): AsyncGenerator<Tweet> {
  for await (const { line, text } of linesOf(stream, path)) {
    if (text.trim().length === 0) continue;
    let object: unknown;
    try {
      object = JSON.parse(text);
    } catch {
      malformed.add(line, "bad JSON");
      continue;
    }
    if (object === null || typeof object !== "object" || Array.isArray(object)) {
      malformed.add(line, "not a JSON object");
      continue;
    }
    const record = object as Record<string, unknown>;
    const result = toTweet(
      line,
      fields.textField ? getPath(record, fields.textField) : firstPresent(record, FIELD_ALIASES.text),
      fields.idField ? getPath(record, fields.idField) : firstPresent(record, FIELD_ALIASES.id),
      fields.timeField ? getPath(record, fields.timeField) : firstPresent(record, FIELD_ALIASES.time),
    );
    if ("reason" in result) malformed.add(line, result.reason);
    else yield result.tweet;
  }
}

/** The columns a field is read from, in the order tried: the one named, or every alias the header has. */
function columnIndexes(header: string[], explicit: string | undefined, aliases: readonly string[], what: string): number[] {
  const lower = header.map((h) => h.trim().toLowerCase());
  if (explicit !== undefined) {
    const index = lower.indexOf(explicit.toLowerCase());
    if (index < 0) throw invalidArgument(`the CSV header has no ${what} column '${explicit}'; columns: ${header.join(", ")}`);
    return [index];
  }
  return aliases.map((alias) => lower.indexOf(alias)).filter((index) => index >= 0);
}

async function* csvRows(
  path: string,
  stream: Readable,
  delimiter: string,
  fields: FieldOptions,
  malformed: MalformedRows,
): AsyncGenerator<Tweet> {
  const records = parseCsv(stream, delimiter);
  const first = await records.next();
  if (first.done) return;
  const header = first.value.fields;
  const textAt = columnIndexes(header, fields.textField, FIELD_ALIASES.text, "text");
  if (textAt.length === 0) {
    throw new HashtagRecError(
      "UNSUPPORTED_FORMAT",
      `'${path}': no text column (tried ${FIELD_ALIASES.text.join(", ")}); name it with --text-field. Columns: ${header.join(", ")}`,
    );
  }
  const idAt = columnIndexes(header, fields.idField, FIELD_ALIASES.id, "id");
  const timeAt = columnIndexes(header, fields.timeField, FIELD_ALIASES.time, "time");
  const read = (values: string[], columns: number[]) => firstNotEmpty(columns.map((column) => values[column]));
  for await (const { line, fields: values } of records) {
    if (values.length !== header.length) {
      malformed.add(line, `expected ${header.length} fields, found ${values.length}`);
      continue;
    }
    const result = toTweet(line, read(values, textAt), read(values, idAt), read(values, timeAt));
    if ("reason" in result) malformed.add(line, result.reason);
    else yield result.tweet;
  }
}

/**
 * Opens a tweet corpus (JSON lines or CSV, plain or gzip; `-` for standard input, which is read
 * once) as a stream in constant memory; the file is read from the first row asked for.
 * Rows that cannot be used are counted in `malformed`, with their line numbers.
 *
 * @example
 * ```ts
 * const source = await openTweets("tweets.jsonl.gz");
 * for await (const tweet of source.rows) console.log(tweet.id, tweet.text);
 * console.error(source.malformed.summary()); // "0 malformed rows"
 * ```
 */
export async function openTweets(path: string, fields: FieldOptions = {}): Promise<TweetSource> {
  if (path !== STDIN) await assertReadableFile(path);
  const malformed = new MalformedRows();
  return { path, rows: tweetRows(path, fields, malformed), malformed };
}

/** The file's rows: opened when first asked for, its format from `--format` or its name, else from its first character. */
async function* tweetRows(path: string, fields: FieldOptions, malformed: MalformedRows): AsyncGenerator<Tweet> {
  let text = await openText(path);
  try {
    let format = formatOf(path, fields.format);
    if (format === undefined) ({ format, text } = await sniffFormat(text, path));
    if (format === "jsonl") yield* jsonlRows(path, text, fields, malformed);
    else yield* csvRows(path, text, format === "tsv" ? "\t" : ",", fields, malformed);
  } finally {
    text.destroy();
  }
}
