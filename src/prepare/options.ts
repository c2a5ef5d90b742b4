import { invalidArgument } from "../core/errors.js";
import type { FieldOptions } from "../data/readers.js";
import { MAX_TRAINED_PIECES } from "../tokenizer/train.js";
import { SPECIAL_TOKENS } from "../tokenizer/special-tokens.js";

/**
 * Everything `prepare` needs, every default written out (see {@link PREPARE_DEFAULTS}).
 *
 * @example
 * ```ts
 * const options: PrepareOptions = { ...PREPARE_DEFAULTS, data: "tweets.jsonl.gz", out: "data/prepared" };
 * ```
 */
export interface PrepareOptions {
  /** Tweets (JSON lines or CSV, plain or .gz). */
  data: string;
  /** Output directory (created). */
  out: string;
  /** Hashtag tokens: the K most used keys on the training part, or all, with ≥ `minHashtagCount` uses. */
  hashtags: number | "all";
  minHashtagCount: number;
  /** The last N days (before the latest kept tweet) are validation; 0 for none. */
  valDays: number;
  /** Tokens per row, `[CLS]` and `[SEP]` included. */
  maxLength: number;
  /** Word pieces plus special tokens of a trained tokenizer (ignored with `tokenizer`). */
  vocabSize: number;
  /** A Hugging Face BERT checkpoint directory whose tokenizer to use instead of training one. */
  tokenizer: string | undefined;
  /** Hashtags never to make tokens of, one a line. */
  blocklist: string | undefined;
  fields: FieldOptions;
  /** Training texts checked for equal ids from the native and pure-JS encoders. */
  parityTexts: number;
}

/**
 * The defaults of every optional setting (saved, resolved, in `meta.json` under `options`).
 *
 * @example
 * ```ts
 * PREPARE_DEFAULTS.hashtags; // 10000
 * ```
 */
export const PREPARE_DEFAULTS = {
  hashtags: 10_000,
  minHashtagCount: 2,
  valDays: 2,
  maxLength: 64,
  vocabSize: 16_000,
  tokenizer: undefined,
  blocklist: undefined,
  fields: {},
  parityTexts: 1000,
} as const satisfies Omit<PrepareOptions, "data" | "out">;

/**
 * Fills in the defaults and checks the ranges; a bad value is an INVALID_ARGUMENT error
 * naming the flag and what it accepts.
 *
 * @example
 * ```ts
 * resolvePrepareOptions({ data: "tweets.jsonl.gz", out: "data/prepared" }).maxLength; // 64
 * resolvePrepareOptions({ data: "t.jsonl", out: "o", maxLength: 2 }); // throws "--max-length must be …"
 * ```
 */
export function resolvePrepareOptions(input: Partial<PrepareOptions> & Pick<PrepareOptions, "data" | "out">): PrepareOptions {
  const options: PrepareOptions = { ...PREPARE_DEFAULTS, ...stripUndefined(input), data: input.data, out: input.out };
  const { hashtags, valDays, maxLength, vocabSize, minHashtagCount } = options;
  if (hashtags !== "all" && (!Number.isInteger(hashtags) || hashtags <= 0)) {
    throw invalidArgument(`--hashtags must be a positive integer or 'all', got '${hashtags}'`);
  }
  if (!Number.isInteger(minHashtagCount) || minHashtagCount < 1) throw invalidArgument(`minHashtagCount must be a positive integer, got '${minHashtagCount}'`);
  if (!Number.isFinite(valDays) || valDays < 0) throw invalidArgument(`--val-days must be a number ≥ 0 (0: no validation), got '${valDays}'`);
  if (!Number.isInteger(maxLength) || maxLength < 4 || maxLength > 4096) {
    throw invalidArgument(`--max-length must be an integer from 4 to 4096, got '${maxLength}'`);
  }
  const maxVocab = MAX_TRAINED_PIECES + SPECIAL_TOKENS.length;
  if (!Number.isInteger(vocabSize) || vocabSize <= SPECIAL_TOKENS.length || vocabSize > maxVocab) {
    throw invalidArgument(`--vocab-size must be an integer from ${SPECIAL_TOKENS.length + 1} to ${maxVocab} (the npm trainer's limit), got '${vocabSize}'`);
  }
  if (!Number.isInteger(options.parityTexts) || options.parityTexts < 0) throw invalidArgument(`parityTexts must be an integer ≥ 0`);
  return options;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
