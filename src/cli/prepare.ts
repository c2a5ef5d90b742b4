import { invalidArgument } from "../core/errors.js";
import { ProgressBar } from "../core/progress.js";
import { PREPARE_DEFAULTS } from "../prepare/options.js";
import { prepareData, type PrepareResult, type PrepareStage } from "../prepare/prepare.js";
import { parseCommandArgs, positiveInt, vocabularySizeArg } from "./args.js";
import { fieldOptions, FIELD_FLAGS, FIELD_HELP } from "./fields.js";

/**
 * The text of `hashtag-rec prepare --help`.
 *
 * @example
 * ```ts
 * console.log(PREPARE_HELP);
 * ```
 */
export const PREPARE_HELP = `Usage: hashtag-rec prepare --data FILE --out DIR [options]

Makes training data for the hashtag masked-LM: cleans the tweets, drops empty, wordless and
repeated queries, splits off the last days as validation, trains a WordPiece tokenizer (or takes
a BERT checkpoint's) with every vocabulary hashtag as one token, and writes token-id matrices.

  --data FILE          tweets (JSON lines or CSV, plain or .gz; '-' reads standard input)
  --out DIR            output directory: train.bin, val.bin, meta.json, tokenizer.json,
                       hashtags.json, README.md (created; files in it are replaced)
  --hashtags K|all     hashtag tokens: the K most used on the training part with ≥2 uses (default ${PREPARE_DEFAULTS.hashtags})
  --val-days N         the last N days (before the latest tweet) are validation; 0 for none (default ${PREPARE_DEFAULTS.valDays})
  --max-length N       tokens per row, [CLS] and [SEP] included (default ${PREPARE_DEFAULTS.maxLength})
  --vocab-size N       word pieces + special tokens of the trained tokenizer (default ${PREPARE_DEFAULTS.vocabSize}, at most 30006)
  --tokenizer HF_DIR   use a Hugging Face BERT checkpoint's tokenizer (tokenizer.json or vocab.txt) instead;
                       a model of ours lends its word pieces (to train it further with 'train --init-from')
  --blocklist FILE     hashtags never to make tokens of, one a line
${FIELD_HELP}`;

function nonNegativeNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0) throw invalidArgument(`${flag} must be a number ≥ 0, got '${value}'`);
  return parsed;
}

const STAGE_LABEL: Record<PrepareStage, string> = {
  reading: "reading",
  counting: "counting",
  tokenizer: "tokenizer",
  encoding: "encoding",
};

function summary(result: PrepareResult, out: string, stages: string): string {
  const { meta } = result;
  const c = meta.counts;
  const rows = meta.n_train + meta.n_val;
  const share = (n: number, of: number) => (of === 0 ? "0%" : `${((100 * n) / of).toFixed(2)}%`);
  return [
    `read ${c.read} rows · ${result.malformed}`,
    `dropped ${c.empty_query} empty queries · ${c.no_word} without a word · ${c.duplicates} duplicates`,
    `kept ${c.kept}: train ${meta.n_train} · val ${meta.n_val}${meta.split_time ? ` (from ${meta.split_time})` : " (no validation split)"}` +
      (c.without_time ? ` · ${c.without_time} without a time (train)` : ""),
    `hashtags ${meta.num_hashtags} (of ${c.hashtag_keys_in_train} keys in training) · vocab_size ${meta.vocab_size} = ${meta.hashtag_token_offset} + ${meta.num_hashtags} · ${meta.dtype}`,
    `truncated at ${meta.max_length} tokens: ${c.truncated_rows} rows (${share(c.truncated_rows!, rows)}), ${c.truncated_tokens} tokens · [UNK] ${share(c.unknown_tokens!, c.tokens!)} of tokens`,
    `native/pure-JS encoders agree on ${c.parity_checked! - c.parity_mismatches!} of ${c.parity_checked} texts`,
    `wrote ${out} in ${result.seconds.toFixed(1)} s (${stages})`,
  ].join("\n");
}

/**
 * `hashtag-rec prepare`. Returns the exit code; progress and the summary go to stderr, one JSON line to stdout.
 *
 * @example
 * ```ts
 * await runPrepare(["--data", "tweets.jsonl.gz", "--out", "data/prepared", "--hashtags", "10000"]); // 0
 * // stdout: {"out":"data/prepared","n_train":231913,"n_val":4438,"vocab_size":26000,"num_hashtags":10000,"seconds":41.8}
 * ```
 */
export async function runPrepare(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("prepare", argv, {
    data: { type: "string" },
    out: { type: "string" },
    hashtags: { type: "string" },
    "val-days": { type: "string" },
    "max-length": { type: "string" },
    "vocab-size": { type: "string" },
    tokenizer: { type: "string" },
    blocklist: { type: "string" },
    ...FIELD_FLAGS,
  });
  if (values.help) {
    console.log(PREPARE_HELP);
    return 0;
  }
  if (!values.data) throw invalidArgument("prepare: --data FILE is required (see 'hashtag-rec prepare --help')");
  if (!values.out) throw invalidArgument("prepare: --out DIR is required (see 'hashtag-rec prepare --help')");
  const options = {
    data: values.data,
    out: values.out,
    hashtags: vocabularySizeArg(values.hashtags, PREPARE_DEFAULTS.hashtags),
    valDays: nonNegativeNumber("--val-days", values["val-days"], PREPARE_DEFAULTS.valDays),
    maxLength: positiveInt("--max-length", values["max-length"], PREPARE_DEFAULTS.maxLength),
    vocabSize: positiveInt("--vocab-size", values["vocab-size"], PREPARE_DEFAULTS.vocabSize),
    tokenizer: values.tokenizer,
    blocklist: values.blocklist,
    fields: fieldOptions(values),
  };
  const bars = new Map<PrepareStage, { bar: ProgressBar; started: number }>();
  const seconds: string[] = [];
  const bar = (stage: PrepareStage, total?: number) => {
    let found = bars.get(stage);
    if (!found) bars.set(stage, (found = { bar: new ProgressBar({ label: STAGE_LABEL[stage], total }), started: performance.now() }));
    return found.bar;
  };
  const result = await prepareData(options, {
    onProgress: (stage, done, total) => bar(stage, total).update(done),
    onStageEnd: (stage) => {
      const found = bars.get(stage);
      if (!found) return;
      found.bar.finish();
      seconds.push(`${stage} ${((performance.now() - found.started) / 1000).toFixed(1)} s`);
    },
    log: (line) => console.error(line),
  });
  console.error(summary(result, values.out, seconds.join(" · ")));
  const { meta } = result;
  console.log(JSON.stringify({ out: values.out, n_train: meta.n_train, n_val: meta.n_val, vocab_size: meta.vocab_size, num_hashtags: meta.num_hashtags, seconds: Number(result.seconds.toFixed(1)) }));
  return 0;
}
