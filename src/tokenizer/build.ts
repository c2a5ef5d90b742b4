import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  AddedToken,
  bertNormalizer,
  bertPreTokenizer,
  bertProcessing,
  Tokenizer,
  WordPiece,
  wordPieceDecoder,
  type BertNormalizerOptions,
} from "tokenizers";
import { HashtagRecError } from "../core/errors.js";
import type { BaseVocabulary } from "./base-vocabulary.js";
import { SPECIAL_TOKENS, specialTokenIds, type SpecialTokenIds } from "./special-tokens.js";

/**
 * A built tokenizer: the native one (to save) and where everything sits in its vocabulary.
 *
 * @example
 * ```ts
 * const { hashtag_token_offset, num_hashtags, vocab_size } = buildHashtagTokenizer(base, keys);
 * hashtag_token_offset + num_hashtags === vocab_size; // true
 * ```
 */
export interface BuiltTokenizer {
  native: Tokenizer;
  /** Hashtag keys in token-id order: key `hashtags[i]` is token `#key` with id `hashtag_token_offset + i`. */
  hashtags: string[];
  /** Keys left out because `#key` was already a token of the base vocabulary. */
  skipped: string[];
  hashtag_token_offset: number;
  num_hashtags: number;
  vocab_size: number;
  special: SpecialTokenIds;
  lowercase: boolean;
}

/**
 * The token text of a hashtag key: `#` then the key.
 *
 * @example
 * ```ts
 * hashtagToken("anzacday"); // "#anzacday"
 * ```
 */
export function hashtagToken(key: string): string {
  return `#${key}`;
}

/**
 * Builds the final WordPiece tokenizer: the base vocabulary (specials included) keeps its ids,
 * then one whole token `#key` per hashtag at the end, in the order given, so hashtags hold the
 * contiguous ids [H0, H0 + NH) and H0 + NH == vocab_size. BERT normalizer, pre-tokenizer,
 * `[CLS] … [SEP]` post-processor and WordPiece decoder; the specials and the hashtags are also
 * recorded as added tokens (hashtags `single_word`, normalized) for Hugging Face tools.
 *
 * @example
 * ```ts
 * const built = buildHashtagTokenizer(base, ["anzacday", "leafs"]);
 * built.native.tokenToId("#leafs") === built.hashtag_token_offset + 1; // true
 * built.vocab_size === base.tokens.length + 2; // true
 * ```
 */
export function buildHashtagTokenizer(base: BaseVocabulary, hashtagKeys: readonly string[]): BuiltTokenizer {
  const vocab: Record<string, number> = Object.create(null) as Record<string, number>;
  base.tokens.forEach((token, id) => {
    if (token in vocab) throw new HashtagRecError("MODEL_INVALID", `${base.source}: token '${token}' appears twice in the vocabulary`);
    vocab[token] = id;
  });
  const special = specialTokenIds((t) => vocab[t], base.source);
  const hashtag_token_offset = base.tokens.length;
  const hashtags: string[] = [];
  const skipped: string[] = [];
  for (const key of hashtagKeys) {
    const token = hashtagToken(key);
    if (token in vocab) skipped.push(key);
    else {
      vocab[token] = hashtag_token_offset + hashtags.length;
      hashtags.push(key);
    }
  }
  const model = WordPiece.init(vocab, { unkToken: "[UNK]", continuingSubwordPrefix: "##", maxInputCharsPerWord: 100 });
  const native = new Tokenizer(model);
  const normalizer: BertNormalizerOptions = { cleanText: true, handleChineseChars: true, lowercase: base.lowercase };
  if (base.stripAccents !== undefined) normalizer.stripAccents = base.stripAccents;
  native.setNormalizer(bertNormalizer(normalizer));
  native.setPreTokenizer(bertPreTokenizer());
  native.setPostProcessor(bertProcessing(["[SEP]", special.sep_token_id], ["[CLS]", special.cls_token_id]));
  native.setDecoder(wordPieceDecoder("##", true));
  native.addAddedTokens(SPECIAL_TOKENS.map((t) => new AddedToken(t, true, { normalized: false })));
  native.addAddedTokens(hashtags.map((key) => new AddedToken(hashtagToken(key), false, { singleWord: true, normalized: true })));
  const vocab_size = native.getVocabSize(true);
  const expected = hashtag_token_offset + hashtags.length;
  const lastId = hashtags.length > 0 ? native.tokenToId(hashtagToken(hashtags[hashtags.length - 1]!)) : expected - 1;
  if (vocab_size !== expected || lastId !== expected - 1) {
    throw new HashtagRecError("INTERNAL", `tokenizer build: vocab_size ${vocab_size}, expected ${expected}; last hashtag id ${lastId}`);
  }
  return { native, hashtags, skipped, hashtag_token_offset, num_hashtags: hashtags.length, vocab_size, special, lowercase: base.lowercase };
}

/**
 * Writes `tokenizer.json` and, for Hugging Face tools, `tokenizer_config.json` and
 * `special_tokens_map.json` into `dir`.
 *
 * @example
 * ```ts
 * await saveTokenizerFiles("data/prepared", buildHashtagTokenizer(base, keys), { maxLength: 64 });
 * ```
 */
export async function saveTokenizerFiles(dir: string, built: BuiltTokenizer, options: { maxLength: number }): Promise<void> {
  built.native.save(join(dir, "tokenizer.json"), false);
  const specials = {
    unk_token: "[UNK]",
    sep_token: "[SEP]",
    pad_token: "[PAD]",
    cls_token: "[CLS]",
    mask_token: "[MASK]",
    additional_special_tokens: ["[URL]"],
  };
  const config = {
    tokenizer_class: "BertTokenizerFast",
    do_lower_case: built.lowercase,
    model_max_length: options.maxLength,
    ...specials,
  };
  await writeFile(join(dir, "tokenizer_config.json"), JSON.stringify(config, null, 2) + "\n");
  await writeFile(join(dir, "special_tokens_map.json"), JSON.stringify(specials, null, 2) + "\n");
}
