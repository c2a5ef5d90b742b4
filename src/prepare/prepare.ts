import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { HashtagRecError } from "../core/errors.js";
import { openTweets } from "../data/readers.js";
import { readBlocklist, writeHashtags, type HashtagEntry } from "../data/vocabulary.js";
import { loadBaseVocabulary, type BaseVocabulary } from "../tokenizer/base-vocabulary.js";
import { buildHashtagTokenizer, saveTokenizerFiles } from "../tokenizer/build.js";
import { HashtagTokenizer } from "../tokenizer/hashtag-tokenizer.js";
import { checkPieceParity } from "../tokenizer/parity.js";
import { trainBaseVocabulary } from "../tokenizer/train.js";
import { countTraining } from "./count.js";
import { encodeRows } from "./encode.js";
import { buildMeta, renderReadme, type PrepareMeta } from "./meta.js";
import { resolvePrepareOptions, type PrepareOptions } from "./options.js";
import { scanTweets } from "./scan.js";
import { splitTime } from "./split.js";
import { dtypeFor, TokenMatrixWriter } from "./token-matrix.js";

/**
 * The passes of `prepare`, as progress reports name them.
 *
 * @example
 * ```ts
 * const stage: PrepareStage = "encoding";
 * ```
 */
export type PrepareStage = "reading" | "counting" | "tokenizer" | "encoding";

/**
 * Callbacks for progress and log lines (the CLI draws bars and prints to stderr).
 *
 * @example
 * ```ts
 * await prepareData(options, { onProgress: (stage, done, total) => console.error(stage, done, total), log: console.error });
 * ```
 */
export interface PrepareHooks {
  onProgress?: (stage: PrepareStage, done: number, total?: number) => void;
  onStageEnd?: (stage: PrepareStage) => void;
  log?: (line: string) => void;
}

/**
 * What `prepare` wrote: `meta.json`'s contents and the hashtags kept.
 *
 * @example
 * ```ts
 * const { meta, hashtags, malformed, seconds } = await prepareData(options);
 * ```
 */
export interface PrepareResult {
  meta: PrepareMeta;
  hashtags: HashtagEntry[];
  /** `MalformedRows.summary()` of the source: count and first line numbers. */
  malformed: string;
  seconds: number;
}

async function ensureOutDir(out: string): Promise<void> {
  try {
    if (!(await stat(out)).isDirectory()) throw new HashtagRecError("INVALID_ARGUMENT", `--out '${out}' exists and is not a directory`);
  } catch (error) {
    if (error instanceof HashtagRecError) throw error;
    await mkdir(out, { recursive: true });
  }
}

/**
 * `hashtag-rec prepare` as a function: reads and cleans the tweets (streaming), drops empty,
 * wordless and repeated queries, splits off the last `valDays` days as validation, counts
 * hashtags on the training part, trains (or loads) the tokenizer with one token per hashtag,
 * and streams `[CLS] tokens [SEP] [PAD]…` rows into `train.bin`/`val.bin`, with `meta.json`,
 * `tokenizer.json`, `hashtags.json` and a `README.md`. Passes go through a temporary file in
 * `out`, so memory stays flat in the corpus size (bar the set of distinct queries).
 *
 * @example
 * ```ts
 * const { meta } = await prepareData({ data: "tweets.jsonl.gz", out: "data/prepared", hashtags: 10000 });
 * meta.hashtag_token_offset + meta.num_hashtags === meta.vocab_size; // true
 * ```
 */
export async function prepareData(
  input: Partial<PrepareOptions> & Pick<PrepareOptions, "data" | "out">,
  hooks: PrepareHooks = {},
): Promise<PrepareResult> {
  const started = performance.now();
  const options = resolvePrepareOptions(input);
  const log = hooks.log ?? (() => {});
  // Everything that can fail fast does so before the long passes.
  const blocklist = options.blocklist === undefined ? new Set<string>() : await readBlocklist(options.blocklist);
  const hfBase = options.tokenizer === undefined ? undefined : await loadBaseVocabulary(options.tokenizer);
  const source = await openTweets(options.data, options.fields);
  await ensureOutDir(options.out);
  const tmp = await mkdtemp(join(options.out, ".prepare-"));
  try {
    const rowsPath = join(tmp, "kept.jsonl");
    const scan = await scanTweets(source, rowsPath, (n) => hooks.onProgress?.("reading", n));
    hooks.onStageEnd?.("reading");
    if (scan.kept === 0) throw new HashtagRecError("NO_DATA", `no usable tweets in '${options.data}' (${scan.read} read, ${scan.malformed.summary()})`);

    const split = splitTime(scan.maxTime, options.valDays);
    const textPath = join(tmp, "train-text.txt");
    const count = await countTraining(rowsPath, split, textPath, {
      sampleSize: options.parityTexts,
      onRow: (n) => hooks.onProgress?.("counting", n, scan.kept),
    });
    hooks.onStageEnd?.("counting");
    if (count.nTrain === 0) {
      throw new HashtagRecError("NO_DATA", `no training rows: all ${count.nVal} kept rows are in the last ${options.valDays} days; lower --val-days`);
    }

    hooks.onProgress?.("tokenizer", 0);
    const minCount = options.minHashtagCount;
    const top = count.counter.top({ k: options.hashtags === "all" ? undefined : options.hashtags, minCount, blocklist });
    const base: BaseVocabulary = hfBase ?? trainBaseVocabulary([textPath], { vocabSize: options.vocabSize });
    const built = buildHashtagTokenizer(base, top.map((e) => e.key));
    if (built.skipped.length > 0) log(`left out ${built.skipped.length} hashtags already in the base vocabulary as '#key': ${built.skipped.slice(0, 5).join(", ")}`);
    const kept = new Set(built.hashtags);
    const hashtags = top.filter((e) => kept.has(e.key));
    await saveTokenizerFiles(options.out, built, { maxLength: options.maxLength });
    await writeHashtags(join(options.out, "hashtags.json"), hashtags);
    const tokenizer = await HashtagTokenizer.load(options.out, { maxLength: options.maxLength });
    const parity = await checkPieceParity(join(options.out, "tokenizer.json"), tokenizer, count.sampleTexts);
    if (parity.mismatches > 0) {
      log(`warning: native and pure-JS encoders differ on ${parity.mismatches} of ${parity.checked} texts, e.g. ${JSON.stringify(parity.first)}`);
    }
    hooks.onStageEnd?.("tokenizer");

    const dtype = dtypeFor(tokenizer.vocab_size);
    const matrix = { maxLength: options.maxLength, dtype, padId: tokenizer.pad_token_id };
    const out = { train: new TokenMatrixWriter(join(options.out, "train.bin"), matrix), val: new TokenMatrixWriter(join(options.out, "val.bin"), matrix) };
    let encode;
    try {
      encode = await encodeRows(rowsPath, split, tokenizer, out, options.maxLength, (n) => hooks.onProgress?.("encoding", n, scan.kept));
    } finally {
      await Promise.all([out.train.close(), out.val.close()]);
    }
    hooks.onStageEnd?.("encoding");
    if (out.train.rows !== count.nTrain || out.val.rows !== count.nVal) {
      throw new HashtagRecError("INTERNAL", `wrote ${out.train.rows}/${out.val.rows} rows, counted ${count.nTrain}/${count.nVal}`);
    }

    const meta = buildMeta({
      options,
      scan,
      count,
      encode,
      special: tokenizer,
      vocabSize: tokenizer.vocab_size,
      hashtagOffset: tokenizer.hashtag_token_offset,
      numHashtags: tokenizer.num_hashtags,
      skippedHashtags: built.skipped.length,
      dtype,
      split,
      tokenizer: base.source,
      parity,
    });
    await writeFile(join(options.out, "meta.json"), JSON.stringify(meta, null, 2) + "\n");
    await writeFile(join(options.out, "README.md"), renderReadme(meta));
    return { meta, hashtags, malformed: scan.malformed.summary(), seconds: (performance.now() - started) / 1000 };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
