import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { HashtagRecError } from "../core/errors.js";
import { specialTokenIds } from "./special-tokens.js";

/**
 * A WordPiece vocabulary before hashtags are added: `tokens[i]` has id `i`, the special tokens
 * among them, plus the normalizer settings it was made with.
 *
 * @example
 * ```ts
 * const base: BaseVocabulary = { tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[URL]", "a"], lowercase: true, source: "trained" };
 * ```
 */
export interface BaseVocabulary {
  tokens: string[];
  /** BERT normalizer `lowercase`. */
  lowercase: boolean;
  /** BERT normalizer `strip_accents`; undefined follows `lowercase` (the BERT default). */
  stripAccents?: boolean | undefined;
  /** `trained`, or the checkpoint directory it came from. */
  source: string;
}

function invalid(dir: string, message: string, cause?: unknown): HashtagRecError {
  return new HashtagRecError("MODEL_INVALID", `--tokenizer '${dir}': ${message}`, { cause });
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

function parseJson(dir: string, file: string, text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== "object") throw new Error("not a JSON object");
    return value as Record<string, unknown>;
  } catch (error) {
    throw invalid(dir, `${file} is not valid JSON (${(error as Error).message})`, error);
  }
}

/**
 * Where the word pieces end in a directory of ours: a model's `config.json` or a prepared data
 * directory's `meta.json` gives `hashtag_token_offset`, the first hashtag token; a Hugging Face
 * checkpoint has neither, and its whole vocabulary is word pieces.
 */
async function hashtagTokenOffset(dir: string): Promise<number | undefined> {
  for (const file of ["config.json", "meta.json"]) {
    const text = await readOptional(join(dir, file));
    if (text === undefined) continue;
    const offset = parseJson(dir, file, text).hashtag_token_offset;
    if (offset === undefined) continue;
    if (!Number.isInteger(offset) || (offset as number) < 0) throw invalid(dir, `${file} hashtag_token_offset is not a non-negative integer`);
    return offset as number;
  }
  return undefined;
}

function fromTokenizerJson(dir: string, json: Record<string, unknown>): BaseVocabulary {
  const model = json.model as { type?: string; vocab?: Record<string, number>; unk_token?: string } | undefined;
  if (model?.type !== "WordPiece" || !model.vocab) throw invalid(dir, `tokenizer.json model is ${model?.type ?? "missing"}, expected WordPiece`);
  const pre = json.pre_tokenizer as { type?: string } | null | undefined;
  if (pre?.type !== "BertPreTokenizer") throw invalid(dir, `tokenizer.json pre_tokenizer is ${pre?.type ?? "none"}, expected BertPreTokenizer`);
  const normalizer = json.normalizer as { type?: string; lowercase?: boolean; strip_accents?: boolean | null } | null | undefined;
  if (normalizer?.type !== "BertNormalizer") throw invalid(dir, `tokenizer.json normalizer is ${normalizer?.type ?? "none"}, expected BertNormalizer`);
  const tokens: string[] = [];
  for (const [token, id] of Object.entries(model.vocab)) tokens[id] = token;
  for (let id = 0; id < tokens.length; id += 1) if (tokens[id] === undefined) throw invalid(dir, `tokenizer.json vocab has no token with id ${id}`);
  return {
    tokens,
    lowercase: normalizer.lowercase ?? true,
    stripAccents: typeof normalizer.strip_accents === "boolean" ? normalizer.strip_accents : undefined,
    source: dir,
  };
}

async function fromVocabTxt(dir: string, text: string): Promise<BaseVocabulary> {
  const tokens = text.replace(/\r?\n$/u, "").split(/\r?\n/u);
  const configText = await readOptional(join(dir, "tokenizer_config.json"));
  const config = configText === undefined ? {} : parseJson(dir, "tokenizer_config.json", configText);
  return {
    tokens,
    lowercase: typeof config.do_lower_case === "boolean" ? config.do_lower_case : true,
    stripAccents: typeof config.strip_accents === "boolean" ? config.strip_accents : undefined,
    source: dir,
  };
}

/**
 * Adds `[URL]` where a BERT vocabulary lacks it: in place of `[unused0]` (the convention for new
 * tokens, so every pretrained id keeps its row), else at the end.
 */
function withUrlToken(tokens: string[]): string[] {
  if (tokens.includes("[URL]")) return tokens;
  const unused = tokens.indexOf("[unused0]");
  if (unused >= 0) return tokens.map((t, i) => (i === unused ? "[URL]" : t));
  return [...tokens, "[URL]"];
}

/**
 * Reads the tokenizer of a Hugging Face BERT checkpoint directory: `tokenizer.json` (a BERT
 * WordPiece tokenizer) or else `vocab.txt` (with `do_lower_case` from `tokenizer_config.json`).
 * Ids stay those of the checkpoint; `[URL]` takes the place of `[unused0]` when missing.
 *
 * @example
 * ```ts
 * const base = await loadBaseVocabulary("models/bert-base-uncased");
 * base.tokens.length; // 30522
 * base.tokens.indexOf("[MASK]"); // 103
 * ```
 */
export async function loadBaseVocabulary(dir: string): Promise<BaseVocabulary> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error("not a directory");
  } catch (error) {
    throw new HashtagRecError("FILE_NOT_FOUND", `--tokenizer '${dir}': no such directory`, { cause: error });
  }
  const json = await readOptional(join(dir, "tokenizer.json"));
  let base: BaseVocabulary;
  if (json !== undefined) {
    base = fromTokenizerJson(dir, parseJson(dir, "tokenizer.json", json));
    // A model of ours lends its word pieces, not its hashtags: a new prepare adds its own.
    const offset = await hashtagTokenOffset(dir);
    if (offset !== undefined && offset < base.tokens.length) base.tokens.length = offset;
  }
  else {
    const vocab = await readOptional(join(dir, "vocab.txt"));
    if (vocab === undefined) throw new HashtagRecError("FILE_NOT_FOUND", `--tokenizer '${dir}': no tokenizer.json or vocab.txt`);
    base = await fromVocabTxt(dir, vocab);
  }
  base.tokens = withUrlToken(base.tokens);
  const ids = new Map(base.tokens.map((t, i) => [t, i]));
  specialTokenIds((t) => ids.get(t), `--tokenizer '${dir}'`);
  return base;
}
