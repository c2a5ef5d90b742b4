import type { HashtagTokenizer } from "../tokenizer/hashtag-tokenizer.js";
import { readKeptRows } from "./kept-rows.js";
import { isValidation } from "./split.js";
import type { TokenMatrixWriter } from "./token-matrix.js";

/**
 * Token counts of the encoding pass.
 *
 * @example
 * ```ts
 * const { truncatedRows } = await encodeRows(rowsPath, split, tok, out, 64); // 34 on tweets-2023
 * ```
 */
export interface EncodeStats {
  /** Text tokens before truncation (no `[CLS]`/`[SEP]`). */
  tokens: number;
  unknown: number;
  /** Hashtag tokens (ids in the hashtag range) that made it into rows. */
  hashtagTokens: number;
  truncatedRows: number;
  /** Tokens cut off the end of rows longer than `max_length`. */
  truncatedTokens: number;
  /** Longest row before truncation, `[CLS]` and `[SEP]` included. */
  longestRow: number;
}

/**
 * Third pass of `prepare`: encodes every kept row as `[CLS] tokens [SEP]`, cut to `maxLength`
 * (the end goes; `[SEP]` stays), and streams it into the train or validation matrix.
 *
 * @example
 * ```ts
 * const stats = await encodeRows("/tmp/kept.jsonl", split, tok, { train, val }, 64);
 * stats.truncatedRows; // rows longer than 64 tokens
 * ```
 */
export async function encodeRows(
  rowsPath: string,
  split: number | undefined,
  tokenizer: HashtagTokenizer,
  out: { train: TokenMatrixWriter; val: TokenMatrixWriter },
  maxLength: number,
  onRow?: (done: number) => void,
): Promise<EncodeStats> {
  const stats: EncodeStats = { tokens: 0, unknown: 0, hashtagTokens: 0, truncatedRows: 0, truncatedTokens: 0, longestRow: 0 };
  const room = maxLength - 2;
  let done = 0;
  for await (const row of readKeptRows(rowsPath)) {
    const ids = tokenizer.encodeTraining(row.text);
    stats.tokens += ids.length;
    stats.longestRow = Math.max(stats.longestRow, ids.length + 2);
    if (ids.length > room) {
      stats.truncatedRows += 1;
      stats.truncatedTokens += ids.length - room;
      ids.length = room;
    }
    for (const id of ids) {
      if (id === tokenizer.unk_token_id) stats.unknown += 1;
      else if (id >= tokenizer.hashtag_token_offset) stats.hashtagTokens += 1;
    }
    await (isValidation(row.time, split) ? out.val : out.train).push([tokenizer.cls_token_id, ...ids, tokenizer.sep_token_id]);
    done += 1;
    onRow?.(done);
  }
  return stats;
}
