import { createHash } from "node:crypto";
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { HashtagRecError } from "../core/errors.js";
import type { HashtagEntry } from "../data/vocabulary.js";
import { ModelConfigSchema, type ModelConfig } from "./config.js";

/** The ONNX graphs serving can use, best first: int8 (smallest, fastest), then fp32. */
export const RECOMMENDER_GRAPHS = ["onnx/recommender_int8.onnx", "onnx/recommender.onnx"] as const;

const HashtagEntrySchema = z.object({
  key: z.string().min(1),
  display: z.string().min(1),
  count: z.number().nonnegative(),
  days: z.number().nonnegative().default(0),
  first_seen: z.string().nullable().default(null),
  last_seen: z.string().nullable().default(null),
});

/** A validated model directory: what `Recommender.load` needs, with paths resolved. */
export interface ModelDirectory {
  dir: string;
  config: ModelConfig;
  /** In token-id order: entry i is token `hashtag_token_offset + i`. */
  hashtags: HashtagEntry[];
  tokenizerPath: string;
  graphPath: string;
  /**
   * Where the model's training data ends (ms, exclusive): tweets posted before this time may be
   * among those it trained on. From `train_config.json`'s data description: `split_time` (where
   * the held-out validation days begin) or, without validation or with an n-gram head refit on
   * them (`config.json`'s `ngram_head.refit`), just after `last_time`; undefined when not
   * recorded (a model not trained by this pipeline).
   */
  trainedBefore: number | undefined;
  /** The graph's identity: the first 16 hex digits of its SHA-256 (what the blend's weights learned with it are kept under). */
  fingerprint: string;
}

function invalid(dir: string, file: string, problem: string, cause?: unknown): HashtagRecError {
  return new HashtagRecError("MODEL_INVALID", `model directory '${dir}': ${file} ${problem}`, { cause });
}

async function readJson(dir: string, file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(join(dir, file), "utf8");
  } catch (error) {
    throw invalid(dir, file, "is missing", error);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid(dir, file, `is not valid JSON (${(error as Error).message})`, error);
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
}

/**
 * Reads and checks a model directory: `config.json`, `hashtags.json`, `tokenizer.json` and an
 * ONNX recommender graph (`graph` picks one; by default int8 if present, else fp32). Any
 * missing or broken file is a MODEL_INVALID error that names it.
 */
export async function loadModelDirectory(dir: string, graph?: string): Promise<ModelDirectory> {
  const parsedConfig = ModelConfigSchema.safeParse(await readJson(dir, "config.json"));
  if (!parsedConfig.success) throw invalid(dir, "config.json", `is not a hashtag-rec BERT config (${describeIssues(parsedConfig.error)})`);
  const config = parsedConfig.data;

  const parsedHashtags = z.array(HashtagEntrySchema).safeParse(await readJson(dir, "hashtags.json"));
  if (!parsedHashtags.success) throw invalid(dir, "hashtags.json", `is malformed (${describeIssues(parsedHashtags.error)})`);
  const hashtags = parsedHashtags.data;
  if (hashtags.length !== config.num_hashtags) {
    throw invalid(dir, "hashtags.json", `has ${hashtags.length} entries but config.json says num_hashtags = ${config.num_hashtags}`);
  }
  const seen = new Set<string>();
  for (const [index, { key }] of hashtags.entries()) {
    if (seen.has(key)) throw invalid(dir, "hashtags.json", `lists the key '${key}' twice (again at entry ${index}); each hashtag token needs its own key`);
    seen.add(key);
  }

  const tokenizerPath = join(dir, "tokenizer.json");
  if (!(await exists(tokenizerPath))) throw invalid(dir, "tokenizer.json", "is missing");

  const candidates = graph === undefined ? RECOMMENDER_GRAPHS : [graph];
  let graphPath: string | undefined;
  for (const candidate of candidates) {
    if (await exists(join(dir, candidate))) {
      graphPath = join(dir, candidate);
      break;
    }
  }
  if (graphPath === undefined) throw invalid(dir, candidates.join(" or "), "is missing");
  const fingerprint = createHash("sha256")
    .update(await readFile(graphPath))
    .digest("hex")
    .slice(0, 16);
  return { dir, config, hashtags, tokenizerPath, graphPath, trainedBefore: await readTrainedBefore(dir, headReadValidationRows(config)), fingerprint };
}

const TrainConfigSchema = z.object({
  data_meta: z.object({ split_time: z.string().nullish(), last_time: z.string().nullish() }).partial().optional(),
});

/** Whether an n-gram head in the graph was trained again on the validation rows (ngram.py's refit). */
function headReadValidationRows(config: ModelConfig): boolean {
  const head = config.ngram_head;
  return typeof head === "object" && head !== null && (head as { refit?: unknown }).refit === true;
}

/** `train_config.json` describes the training; serving does not need it, so a missing or foreign one is no error. */
async function readTrainedBefore(dir: string, headReadValidationRows: boolean): Promise<number | undefined> {
  const text = await readFile(join(dir, "train_config.json"), "utf8").catch(() => undefined);
  let json: unknown;
  try {
    json = JSON.parse(text ?? "null");
  } catch {
    return undefined;
  }
  const parsed = TrainConfigSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const split = Date.parse(parsed.data.data_meta?.split_time ?? "");
  const last = Date.parse(parsed.data.data_meta?.last_time ?? "");
  if (!Number.isNaN(split) && !headReadValidationRows) return split;
  // A head refit on the validation rows read past split_time: only last_time says how far.
  return Number.isNaN(last) ? undefined : last + 1;
}
