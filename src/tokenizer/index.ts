/**
 * The tokenizer: train a WordPiece vocabulary or load a BERT checkpoint's, add every hashtag of
 * the vocabulary as one whole token, save `tokenizer.json`, and encode tweets and queries.
 *
 * @example
 * ```ts
 * import { HashtagTokenizer } from "./tokenizer/index.js";
 * const tok = await HashtagTokenizer.load("data/prepared");
 * tok.encodeQuery("Lest we forget").mask_position; // 4
 * ```
 */
export { loadBaseVocabulary, type BaseVocabulary } from "./base-vocabulary.js";
export { buildHashtagTokenizer, hashtagToken, saveTokenizerFiles, type BuiltTokenizer } from "./build.js";
export { HashtagTokenizer, type EncodeQueryOptions, type LoadOptions, type QueryEncoding } from "./hashtag-tokenizer.js";
export { checkPieceParity, type ParityReport } from "./parity.js";
export { SPECIAL_TOKENS, specialTokenIds, type SpecialToken, type SpecialTokenIds } from "./special-tokens.js";
export { DEFAULT_VOCAB_SIZE, MAX_TRAINED_PIECES, trainBaseVocabulary, type TrainOptions } from "./train.js";
