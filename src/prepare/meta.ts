import type { SpecialTokenIds } from "../tokenizer/special-tokens.js";
import type { CountResult } from "./count.js";
import type { EncodeStats } from "./encode.js";
import type { PrepareOptions } from "./options.js";
import type { ScanStats } from "./scan.js";
import type { TokenDtype } from "./token-matrix.js";

/**
 * The `meta.json` format tag the Python trainer checks.
 *
 * @example
 * ```ts
 * JSON.parse(readFileSync("data/prepared/meta.json", "utf8")).format === META_FORMAT; // true
 * ```
 */
export const META_FORMAT = "hashtag-rec/v1";

/**
 * `meta.json`: the contract with the Python trainer (`trainer/data.py`) first, unchanged, then
 * extras (counts, resolved options, split time, source) that nothing depends on.
 *
 * @example
 * ```ts
 * // prepare --hashtags 10000 on tweets-2023:
 * // { format: "hashtag-rec/v1", dtype: "uint16", max_length: 64, n_train: 231913, n_val: 4438,
 * //   vocab_size: 26000, pad_token_id: 0, …, mask_token_id: 4, hashtag_token_offset: 16000, num_hashtags: 10000, … }
 * ```
 */
export interface PrepareMeta {
  format: typeof META_FORMAT;
  dtype: TokenDtype;
  max_length: number;
  n_train: number;
  n_val: number;
  vocab_size: number;
  pad_token_id: number;
  unk_token_id: number;
  cls_token_id: number;
  sep_token_id: number;
  mask_token_id: number;
  hashtag_token_offset: number;
  num_hashtags: number;
  url_token_id: number;
  tokenizer: string;
  source: string;
  split_time: string | null;
  first_time: string | null;
  last_time: string | null;
  counts: Record<string, number>;
  options: Record<string, unknown>;
}

/**
 * What {@link buildMeta} reads: the resolved options and the numbers of each pass.
 *
 * @example
 * ```ts
 * buildMeta({ options, scan, count, encode, special: tok, vocabSize: 26000, hashtagOffset: 16000, numHashtags: 10000, … });
 * ```
 */
export interface MetaInputs {
  options: PrepareOptions;
  scan: ScanStats;
  count: CountResult;
  encode: EncodeStats;
  special: SpecialTokenIds;
  vocabSize: number;
  hashtagOffset: number;
  numHashtags: number;
  skippedHashtags: number;
  dtype: TokenDtype;
  split: number | undefined;
  tokenizer: string;
  parity: { checked: number; mismatches: number };
}

const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());

/**
 * Assembles `meta.json`.
 *
 * @example
 * ```ts
 * const meta = buildMeta(inputs);
 * meta.hashtag_token_offset + meta.num_hashtags === meta.vocab_size; // true
 * ```
 */
export function buildMeta(m: MetaInputs): PrepareMeta {
  const { options: o, scan, count, encode } = m;
  return {
    format: META_FORMAT,
    dtype: m.dtype,
    max_length: o.maxLength,
    n_train: count.nTrain,
    n_val: count.nVal,
    vocab_size: m.vocabSize,
    pad_token_id: m.special.pad_token_id,
    unk_token_id: m.special.unk_token_id,
    cls_token_id: m.special.cls_token_id,
    sep_token_id: m.special.sep_token_id,
    mask_token_id: m.special.mask_token_id,
    hashtag_token_offset: m.hashtagOffset,
    num_hashtags: m.numHashtags,
    url_token_id: m.special.url_token_id,
    tokenizer: m.tokenizer,
    source: o.data,
    split_time: iso(m.split),
    first_time: iso(scan.minTime),
    last_time: iso(scan.maxTime),
    counts: {
      read: scan.read,
      malformed: scan.malformed.count,
      empty_query: scan.emptyQuery,
      no_word: scan.noWord,
      duplicates: scan.duplicates,
      kept: scan.kept,
      without_time: scan.withoutTime,
      train: count.nTrain,
      val: count.nVal,
      hashtag_keys_in_train: count.counter.size,
      train_out_of_time_order: count.trainOutOfOrder,
      hashtags_skipped_as_base_tokens: m.skippedHashtags,
      tokens: encode.tokens,
      unknown_tokens: encode.unknown,
      hashtag_tokens: encode.hashtagTokens,
      truncated_rows: encode.truncatedRows,
      truncated_tokens: encode.truncatedTokens,
      longest_row: encode.longestRow,
      parity_checked: m.parity.checked,
      parity_mismatches: m.parity.mismatches,
    },
    options: {
      hashtags: o.hashtags,
      min_hashtag_count: o.minHashtagCount,
      val_days: o.valDays,
      max_length: o.maxLength,
      vocab_size: o.tokenizer === undefined ? o.vocabSize : null,
      tokenizer: o.tokenizer ?? null,
      blocklist: o.blocklist ?? null,
      fields: o.fields,
    },
  };
}

const pct = (part: number, whole: number) => (whole === 0 ? "0%" : `${((100 * part) / whole).toFixed(2)}%`);

/**
 * The data directory's `README.md` (the nanoGPT `data/*\/readme.md` convention): what the files
 * are and the numbers of this run.
 *
 * @example
 * ```ts
 * await writeFile("data/prepared/README.md", renderReadme(meta));
 * ```
 */
export function renderReadme(meta: PrepareMeta): string {
  const c = meta.counts;
  const rows = meta.n_train + meta.n_val;
  return `# Prepared data (${meta.format})

Made by \`hashtag-rec prepare\` from \`${meta.source}\`.

| | |
| --- | --- |
| rows read | ${c.read} (${c.malformed} malformed skipped) |
| dropped | ${c.empty_query} empty queries · ${c.no_word} without a word · ${c.duplicates} duplicates (lower-cased cleaned query) |
| train / val | ${meta.n_train} / ${meta.n_val} (val: from ${meta.split_time ?? "—"}, the last ${meta.options.val_days} days) |
| time range | ${meta.first_time ?? "—"} … ${meta.last_time ?? "—"} |
| row order | ${c.train_out_of_time_order ? `${c.train_out_of_time_order} training rows earlier than a row before them (the n-gram head's recency prior needs time order)` : "the input's, in time order"} |
| tokenizer | ${meta.tokenizer}: ${meta.hashtag_token_offset} word pieces and specials + ${meta.num_hashtags} hashtags = vocab_size ${meta.vocab_size} |
| tokens per row | ${rows === 0 ? 0 : (c.tokens! / rows).toFixed(1)} on average (before truncation), longest ${c.longest_row} with [CLS]/[SEP] |
| truncated at ${meta.max_length} | ${c.truncated_rows} rows (${pct(c.truncated_rows!, rows)}), ${c.truncated_tokens} tokens |
| [UNK] tokens | ${c.unknown_tokens} (${pct(c.unknown_tokens!, c.tokens!)}) |
| hashtag tokens | ${c.hashtag_tokens} in rows |

Files:
- \`train.bin\`, \`val.bin\`: ${meta.dtype}, little-endian, shape (n, ${meta.max_length}); each row \`[CLS] tokens [SEP] [PAD]…\`
  (\`np.memmap("train.bin", dtype="<${meta.dtype === "uint16" ? "u2" : "u4"}", mode="r", shape=(${meta.n_train}, ${meta.max_length}))\`).
- \`meta.json\`: sizes and special ids (pad ${meta.pad_token_id}, unk ${meta.unk_token_id}, cls ${meta.cls_token_id}, sep ${meta.sep_token_id}, mask ${meta.mask_token_id}, url ${meta.url_token_id}); hashtags hold ids [${meta.hashtag_token_offset}, ${meta.vocab_size}).
- \`tokenizer.json\` (+ \`tokenizer_config.json\`, \`special_tokens_map.json\`): WordPiece; every hashtag is one token \`#key\`.
- \`hashtags.json\`: one entry per hashtag token, in id order (key, display, count, days, first_seen, last_seen on the training part).
`;
}
