import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Tokenizer as JsTokenizer } from "@huggingface/tokenizers";
import { HashtagRecError, invalidArgument } from "../core/errors.js";
import { hashtagKey } from "../data/hashtags.js";
import { segmentText, tweetBody, type Segment } from "../data/segments.js";
import { specialTokenIds, type SpecialTokenIds } from "./special-tokens.js";

/**
 * What {@link HashtagTokenizer.encodeQuery} returns: model inputs without padding.
 *
 * @example
 * ```ts
 * const { input_ids, attention_mask, mask_position } = tok.encodeQuery("Lest we forget");
 * input_ids[mask_position] === tok.mask_token_id; // true
 * ```
 */
export interface QueryEncoding {
  input_ids: number[];
  attention_mask: number[];
  /** Index of the `[MASK]` token in `input_ids`. */
  mask_position: number;
}

/**
 * Options of {@link HashtagTokenizer.encodeQuery}.
 *
 * @example
 * ```ts
 * tok.encodeQuery("Lest we forget", { maskAt: 5, maxLength: 32 });
 * ```
 */
export interface EncodeQueryOptions {
  /** Character position in the text where `[MASK]` goes; default the end. */
  maskAt?: number | undefined;
  /** Longest `input_ids`, `[CLS]`, `[MASK]` and `[SEP]` included; default the tokenizer's `max_length`. */
  maxLength?: number | undefined;
}

/**
 * Options when loading a tokenizer.
 *
 * @example
 * ```ts
 * const tok = await HashtagTokenizer.load("data/prepared", { maxLength: 64 });
 * ```
 */
export interface LoadOptions {
  /** Default `maxLength` of `encodeQuery` (default: `model_max_length` of `tokenizer_config.json` in `load`, else 64). */
  maxLength?: number | undefined;
}

/** The part of `@huggingface/tokenizers` used here (its bundled types do not resolve under NodeNext). */
interface PiecesEncoder {
  encode(text: string, options: { add_special_tokens: boolean }): { ids: number[] };
}
const PiecesTokenizer = JsTokenizer as unknown as new (json: object, config: object) => PiecesEncoder;

/** Words whose pieces are remembered; past this the memory is cleared and starts again. */
const MAX_CACHED_WORDS = 65_536;
/**
 * Longer words are encoded each time: they are rare, and remembering them would let texts of long
 * made-up words fill the memory (65,536 × 5,000 characters through the API).
 */
const MAX_CACHED_WORD_LENGTH = 32;

interface TokenizerJson {
  model?: { vocab?: Record<string, number> };
  added_tokens?: { id: number; content: string; special: boolean }[];
  [field: string]: unknown;
}

function invalid(where: string, message: string): HashtagRecError {
  return new HashtagRecError("MODEL_INVALID", `${where}: ${message}`);
}

/** `model_max_length` of `dir/tokenizer_config.json`, when there is a sensible one. */
async function configuredMaxLength(dir: string): Promise<number | undefined> {
  let config: { model_max_length?: unknown };
  try {
    config = JSON.parse(await readFile(join(dir, "tokenizer_config.json"), "utf8")) as { model_max_length?: unknown };
  } catch {
    return undefined;
  }
  const value = config.model_max_length;
  return typeof value === "number" && Number.isInteger(value) && value >= 3 && value <= 100_000 ? value : undefined;
}

/**
 * Encodes text for the hashtag masked-LM with a saved `tokenizer.json`, in pure JavaScript
 * (`@huggingface/tokenizers`), the same way for training rows and for live queries:
 * - hashtags are found by Twitter's rules (`segmentText`) and each one in the vocabulary becomes
 *   its one token `#key` (matched by `hashtagKey`, so `#AnzacDay` and `#anzacday` agree; `#notes`
 *   never becomes `#note` + `s`); others fall back to `#` and word pieces;
 * - links become `[URL]`, @mentions the text `@user`; the text between is WordPiece-encoded.
 *
 * Added-token matching of the JS package ignores `single_word`, so this class never relies on it:
 * the word-piece encoder it builds has no added tokens (typing `[MASK]` in a text gives `[`, `mask`, `]`).
 *
 * @example
 * ```ts
 * // the output of `prepare --hashtags 10000` on tweets-2023 (16,000 pieces + 10,000 hashtags)
 * const tok = await HashtagTokenizer.load("/tmp/prepared-10k");
 * tok.encodeTraining("RT @WarintheFuture: Lest we forget #AnzacDay https://t.co/x");
 * // [8408, 4327, 5531, 16084, 5]: lest we forget #anzacday [URL]
 * tok.encodeQuery("Lest we forget");
 * // { input_ids: [2, 8408, 4327, 5531, 4, 3], attention_mask: [1, 1, 1, 1, 1, 1], mask_position: 4 }
 * tok.encodeQuery("Lest we forget", { maskAt: 5 }).input_ids; // [2, 8408, 4, 4327, 5531, 3]
 * tok.hashtagId("#AnzacDay"); // 16084
 * ```
 */
export class HashtagTokenizer implements SpecialTokenIds {
  readonly vocab_size: number;
  readonly max_length: number;
  readonly hashtag_token_offset: number;
  readonly num_hashtags: number;
  readonly pad_token_id: number;
  readonly unk_token_id: number;
  readonly cls_token_id: number;
  readonly sep_token_id: number;
  readonly mask_token_id: number;
  readonly url_token_id: number;
  private readonly pieces: PiecesEncoder;
  private readonly tokens: string[];
  private readonly byKey: Map<string, number>;
  private readonly userIds: number[];
  /** Each space-separated word's pieces, as the encoder gave them (see {@link encodeWordPieces}). */
  private readonly wordPieces = new Map<string, readonly number[]>();

  private constructor(json: TokenizerJson, where: string, options: LoadOptions) {
    const vocab = json.model?.vocab;
    if (!vocab || typeof vocab !== "object") throw invalid(where, "has no model.vocab (expected a WordPiece tokenizer.json)");
    const added = Array.isArray(json.added_tokens) ? json.added_tokens : [];
    this.tokens = [];
    for (const [token, id] of Object.entries(vocab)) this.tokens[id] = token;
    for (const token of added) this.tokens[token.id] ??= token.content;
    this.vocab_size = this.tokens.length;
    const ids = new Map(this.tokens.map((t, i) => [t, i]));
    const special = specialTokenIds((t) => ids.get(t), where);
    this.pad_token_id = special.pad_token_id;
    this.unk_token_id = special.unk_token_id;
    this.cls_token_id = special.cls_token_id;
    this.sep_token_id = special.sep_token_id;
    this.mask_token_id = special.mask_token_id;
    this.url_token_id = special.url_token_id;

    const hashtagIds = added.filter((t) => !t.special && t.content.startsWith("#")).map((t) => t.id).sort((a, b) => a - b);
    this.hashtag_token_offset = hashtagIds[0] ?? this.vocab_size;
    this.num_hashtags = hashtagIds.length;
    if (this.hashtag_token_offset + this.num_hashtags !== this.vocab_size || hashtagIds.some((id, i) => id !== this.hashtag_token_offset + i)) {
      throw invalid(where, `hashtag tokens must hold the last ids [H0, vocab_size); found ${this.num_hashtags} from ${this.hashtag_token_offset} in ${this.vocab_size}`);
    }
    this.byKey = new Map();
    for (let id = this.hashtag_token_offset; id < this.vocab_size; id += 1) this.byKey.set(hashtagKey(this.tokens[id]!), id);

    this.max_length = options.maxLength ?? 64;
    if (!Number.isInteger(this.max_length) || this.max_length < 3) throw invalidArgument(`maxLength must be an integer ≥ 3, got '${this.max_length}'`);
    // The word-piece encoder: the same normalizer, pre-tokenizer and vocabulary, no added tokens.
    this.pieces = new PiecesTokenizer({ ...json, added_tokens: [], post_processor: null, truncation: null, padding: null }, {});
    this.userIds = this.encodeWordPieces("@user");
  }

  /**
   * Loads `dir/tokenizer.json`; where `dir/hashtags.json` exists, checks that it lists the
   * hashtag tokens in id order. `max_length` defaults to `model_max_length` of
   * `dir/tokenizer_config.json` where there is one.
   *
   * @example
   * ```ts
   * const tok = await HashtagTokenizer.load("/tmp/prepared-10k");
   * tok.vocab_size; // 26000
   * ```
   */
  static async load(dir: string, options: LoadOptions = {}): Promise<HashtagTokenizer> {
    const maxLength = options.maxLength ?? (await configuredMaxLength(dir));
    const tokenizer = await HashtagTokenizer.fromFile(join(dir, "tokenizer.json"), { ...options, maxLength });
    let text: string | undefined;
    try {
      text = await readFile(join(dir, "hashtags.json"), "utf8");
    } catch {
      return tokenizer;
    }
    const entries = JSON.parse(text) as { key: string }[];
    const mismatch = entries.findIndex((e, i) => tokenizer.hashtagId(e.key) !== tokenizer.hashtag_token_offset + i);
    if (entries.length !== tokenizer.num_hashtags || mismatch >= 0) {
      throw invalid(join(dir, "hashtags.json"), `does not match tokenizer.json (${entries.length} entries, ${tokenizer.num_hashtags} hashtag tokens; first mismatch at ${mismatch})`);
    }
    return tokenizer;
  }

  /**
   * Loads a `tokenizer.json` file (hashtags taken from its added tokens).
   *
   * @example
   * ```ts
   * const tok = await HashtagTokenizer.fromFile("models/default/tokenizer.json");
   * ```
   */
  static async fromFile(path: string, options: LoadOptions = {}): Promise<HashtagTokenizer> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw new HashtagRecError("FILE_NOT_FOUND", `cannot read '${path}'`, { cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new HashtagRecError("MODEL_INVALID", `${path}: not valid JSON (${(error as Error).message})`, { cause: error });
    }
    return HashtagTokenizer.fromJSON(json, options, path);
  }

  /**
   * Builds from the parsed contents of a `tokenizer.json`.
   *
   * @example
   * ```ts
   * const tok = HashtagTokenizer.fromJSON(JSON.parse(readFileSync("tokenizer.json", "utf8")));
   * ```
   */
  static fromJSON(json: unknown, options: LoadOptions = {}, where = "tokenizer.json"): HashtagTokenizer {
    if (json === null || typeof json !== "object") throw invalid(where, "is not a JSON object");
    return new HashtagTokenizer(json as TokenizerJson, where, options);
  }

  /**
   * The id of a hashtag (`#AnzacDay`, `AnzacDay` or `anzacday`), or undefined outside the vocabulary.
   *
   * @example
   * ```ts
   * tok.hashtagId("#AnzacDay") === tok.hashtagId("anzacday"); // true (16084)
   * ```
   */
  hashtagId(tag: string): number | undefined {
    return this.byKey.get(hashtagKey(tag));
  }

  /**
   * The key of a hashtag id, or undefined when the id is no hashtag.
   *
   * @example
   * ```ts
   * tok.hashtagKeyOf(tok.hashtag_token_offset); // "masterchefau" (the most used)
   * ```
   */
  hashtagKeyOf(id: number): string | undefined {
    if (id < this.hashtag_token_offset || id >= this.vocab_size) return undefined;
    return this.tokens[id]!.slice(1);
  }

  /**
   * The token text of an id.
   *
   * @example
   * ```ts
   * tok.idToToken(4); // "[MASK]"
   * tok.idToToken(16084); // "#anzacday"
   * ```
   */
  idToToken(id: number): string | undefined {
    return this.tokens[id];
  }

  /**
   * The tokens of one raw tweet for training, without `[CLS]`/`[SEP]`: HTML entities decoded,
   * a leading `RT @user:` dropped (as the cleaning function does), hashtags in place.
   *
   * @example
   * ```ts
   * tok.encodeTraining("taking #notes at the #note session").map((id) => tok.idToToken(id));
   * // ["taking", "#notes", "at", "the", "#", "note", "session"] (#note is not a vocabulary hashtag)
   * ```
   */
  encodeTraining(raw: string): number[] {
    return this.encodeText(tweetBody(raw));
  }

  /**
   * The tokens of a text taken as it is (no `[CLS]`/`[SEP]`, no entity decoding), hashtags in place.
   *
   * @example
   * ```ts
   * tok.encodeText("@bob #AnzacDay"); // ids of "@", "user", then 16084
   * ```
   */
  encodeText(text: string): number[] {
    const out: number[] = [];
    for (const segment of segmentText(text)) this.encodeSegment(segment, out);
    return out;
  }

  /**
   * Model inputs for a cleaned query: `[CLS] text [MASK] [SEP]`, or the `[MASK]` at character
   * `maskAt`. Too long, it keeps the tokens nearest the `[MASK]` (half on each side where both
   * sides are long), always with `[CLS]`, `[MASK]` and `[SEP]`.
   *
   * @example
   * ```ts
   * tok.encodeQuery("Lest we forget", { maskAt: 5 });
   * // { input_ids: [2, 8408, 4, 4327, 5531, 3], attention_mask: [1, 1, 1, 1, 1, 1], mask_position: 2 }
   * ```
   */
  encodeQuery(text: string, options: EncodeQueryOptions = {}): QueryEncoding {
    const maxLength = options.maxLength ?? this.max_length;
    if (!Number.isInteger(maxLength) || maxLength < 3) throw invalidArgument(`maxLength must be an integer ≥ 3, got '${maxLength}'`);
    const at = options.maskAt ?? text.length;
    if (!Number.isInteger(at) || at < 0 || at > text.length) {
      throw invalidArgument(`maskAt must be an integer from 0 to ${text.length} (the text's length), got '${at}'`);
    }
    let left = at > 0 ? this.encodeText(text.slice(0, at)) : [];
    let right = at < text.length ? this.encodeText(text.slice(at)) : [];
    const budget = maxLength - 3;
    if (left.length + right.length > budget) {
      const keepRight = Math.min(right.length, Math.max(budget - left.length, Math.floor(budget / 2)));
      left = left.slice(left.length - (budget - keepRight));
      right = right.slice(0, keepRight);
    }
    const input_ids = [this.cls_token_id, ...left, this.mask_token_id, ...right, this.sep_token_id];
    return { input_ids, attention_mask: input_ids.map(() => 1), mask_position: left.length + 1 };
  }

  private encodeSegment(segment: Segment, out: number[]): void {
    switch (segment.kind) {
      case "text":
        for (const id of this.encodeWordPieces(segment.text)) out.push(id);
        return;
      case "hashtag": {
        const id = this.byKey.get(segment.key);
        if (id !== undefined) out.push(id);
        else for (const piece of this.encodeWordPieces(`#${segment.text.slice(1)}`)) out.push(piece);
        return;
      }
      case "url":
        out.push(this.url_token_id);
        return;
      case "mention":
        for (const id of this.userIds) out.push(id);
        return;
    }
  }

  /**
   * Word pieces of a plain text, with no hashtag, link or mention handling (`[MASK]` typed in it stays text).
   *
   * @example
   * ```ts
   * tok.encodeWordPieces("Lest we forget"); // [8408, 4327, 5531]
   * ```
   */
  encodeWordPieces(text: string): number[] {
    // The normalizer (clean-up, accents, lower case) works within a character and its combining
    // marks, and the pre-tokenizer splits at every space, so a text's pieces are its words' pieces
    // one after another: each word is encoded once and remembered. A draft's words are mostly ones
    // seen before: 2 µs a draft instead of 20 (test-window drafts); the same ids on all of tweets-2023.
    const out: number[] = [];
    for (const word of text.split(" ")) {
      if (word.length === 0) continue;
      let ids = this.wordPieces.get(word);
      if (ids === undefined) {
        ids = word.trim().length === 0 ? [] : this.pieces.encode(word, { add_special_tokens: false }).ids;
        if (word.length <= MAX_CACHED_WORD_LENGTH) {
          if (this.wordPieces.size >= MAX_CACHED_WORDS) this.wordPieces.clear();
          this.wordPieces.set(word, ids);
        }
      }
      for (const id of ids) out.push(id);
    }
    return out;
  }
}
