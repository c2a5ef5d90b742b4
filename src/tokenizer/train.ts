import { bertNormalizer, bertPreTokenizer, Tokenizer, WordPiece } from "tokenizers";
import { invalidArgument } from "../core/errors.js";
import { SPECIAL_TOKENS } from "./special-tokens.js";
import type { BaseVocabulary } from "./base-vocabulary.js";

/**
 * The npm `tokenizers` package trains with its default WordPiece trainer only: at most 30,000
 * pieces, no special tokens. A smaller vocabulary is the prefix of the trained one (the
 * alphabet first, then merges in the order they were learnt, each made of earlier pieces), which
 * is what training with that size would give.
 *
 * @example
 * ```ts
 * trainBaseVocabulary(files, { vocabSize: MAX_TRAINED_PIECES + 6 }); // the largest trainable
 * ```
 */
export const MAX_TRAINED_PIECES = 30_000;

/**
 * Options of {@link trainBaseVocabulary}.
 *
 * @example
 * ```ts
 * const options: TrainOptions = { vocabSize: 16000, lowercase: true };
 * ```
 */
export interface TrainOptions {
  /** Word pieces plus the special tokens (default 16,000; at most 30,006). */
  vocabSize?: number;
  /** BERT normalizer lower-casing (and accent stripping); default true. */
  lowercase?: boolean;
}

/**
 * Word pieces plus special tokens when no size is given.
 *
 * @example
 * ```ts
 * trainBaseVocabulary(files).tokens.length <= DEFAULT_VOCAB_SIZE; // true (16000)
 * ```
 */
export const DEFAULT_VOCAB_SIZE = 16_000;

/** Pieces every vocabulary needs: hashtags outside the vocabulary start with `#`, mentions are `@user`. */
const REQUIRED_PIECES = ["#", "@"];

/**
 * Trains a WordPiece vocabulary (BERT normalizer and pre-tokenizer) on text files, one text a
 * line, and returns it with the special tokens first: `[PAD]`=0 … `[URL]`=5, then the pieces
 * (`#` and `@` always among them).
 * Note: the native trainer writes a few blank lines to stdout.
 *
 * @example
 * ```ts
 * const base = trainBaseVocabulary(["train-text.txt"], { vocabSize: 16000 });
 * base.tokens.slice(0, 7); // ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[URL]", "!"]
 * ```
 */
export function trainBaseVocabulary(files: string[], options: TrainOptions = {}): BaseVocabulary {
  const vocabSize = options.vocabSize ?? DEFAULT_VOCAB_SIZE;
  const lowercase = options.lowercase ?? true;
  const maxSize = MAX_TRAINED_PIECES + SPECIAL_TOKENS.length;
  if (!Number.isInteger(vocabSize) || vocabSize <= SPECIAL_TOKENS.length || vocabSize > maxSize) {
    throw invalidArgument(`--vocab-size must be an integer from ${SPECIAL_TOKENS.length + 1} to ${maxSize} (the npm trainer's limit), got '${vocabSize}'`);
  }
  const tokenizer = new Tokenizer(WordPiece.empty() as unknown as ConstructorParameters<typeof Tokenizer>[0]);
  tokenizer.setNormalizer(bertNormalizer({ lowercase }));
  tokenizer.setPreTokenizer(bertPreTokenizer());
  tokenizer.train(files);
  const specials = new Set<string>(SPECIAL_TOKENS);
  const trained = Object.entries(tokenizer.getVocab(false))
    .sort((a, b) => a[1] - b[1])
    .map(([token]) => token)
    .filter((token) => !specials.has(token));
  const missing = REQUIRED_PIECES.filter((piece) => !trained.includes(piece));
  const pieces = [...missing, ...trained].slice(0, vocabSize - SPECIAL_TOKENS.length);
  return { tokens: [...SPECIAL_TOKENS, ...pieces], lowercase, source: "trained" };
}
