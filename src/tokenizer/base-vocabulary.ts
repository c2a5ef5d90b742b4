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
 * Where the word pieces end: a tokenizer.json written by `prepare` or an export lists its hashtags
 * as non-special added tokens after the pieces; that tail is left out, so that a model of ours
 * can lend its tokenizer to a new `prepare` with a new set of hashtags.
 */
function baseLength(json: Record<string, unknown>, length: number): number {
  const added = (json.added_tokens ?? []) as { id?: number; special?: boolean }[];
  const hashtagIds = new Set(added.filter((t) => t.special === false && typeof t.id === "number").map((t) => t.id as number));
  let offset = length;
  while (hashtagIds.has(offset - 1)) offset -= 1;
  return offset;
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
  tokens.length = baseLength(json, tokens.length);
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
  if (json !== undefined) base = fromTokenizerJson(dir, parseJson(dir, "tokenizer.json", json));
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
