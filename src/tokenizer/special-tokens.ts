import { HashtagRecError } from "../core/errors.js";

/**
 * The special tokens, in the order a trained vocabulary gives them ids 0–5. `[URL]` stands
 * for every link. A Hugging Face BERT vocabulary keeps its own ids for the first five.
 *
 * @example
 * ```ts
 * SPECIAL_TOKENS.indexOf("[MASK]"); // 4 (its id in a trained vocabulary)
 * ```
 */
export const SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[URL]"] as const;

/**
 * One of {@link SPECIAL_TOKENS}.
 *
 * @example
 * ```ts
 * const token: SpecialToken = "[MASK]";
 * ```
 */
export type SpecialToken = (typeof SPECIAL_TOKENS)[number];

/**
 * The ids of the special tokens, under the names `meta.json` and Hugging Face configs use.
 *
 * @example
 * ```ts
 * const ids: SpecialTokenIds = { pad_token_id: 0, unk_token_id: 1, cls_token_id: 2, sep_token_id: 3, mask_token_id: 4, url_token_id: 5 };
 * ```
 */
export interface SpecialTokenIds {
  pad_token_id: number;
  unk_token_id: number;
  cls_token_id: number;
  sep_token_id: number;
  mask_token_id: number;
  url_token_id: number;
}

const FIELD: Record<SpecialToken, keyof SpecialTokenIds> = {
  "[PAD]": "pad_token_id",
  "[UNK]": "unk_token_id",
  "[CLS]": "cls_token_id",
  "[SEP]": "sep_token_id",
  "[MASK]": "mask_token_id",
  "[URL]": "url_token_id",
};

/**
 * Looks up every special token; a missing one is a MODEL_INVALID error that names it.
 *
 * @example
 * ```ts
 * specialTokenIds((t) => ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[URL]"].indexOf(t), "tokenizer.json");
 * // { pad_token_id: 0, unk_token_id: 1, cls_token_id: 2, sep_token_id: 3, mask_token_id: 4, url_token_id: 5 }
 * ```
 */
export function specialTokenIds(idOf: (token: string) => number | undefined, where: string): SpecialTokenIds {
  const ids: Partial<SpecialTokenIds> = {};
  const missing: string[] = [];
  for (const token of SPECIAL_TOKENS) {
    const id = idOf(token);
    if (id === undefined || id < 0) missing.push(token);
    else ids[FIELD[token]] = id;
  }
  if (missing.length > 0) {
    throw new HashtagRecError("MODEL_INVALID", `${where}: the vocabulary has no ${missing.join(", ")} token (needs ${SPECIAL_TOKENS.join(", ")})`);
  }
  return ids as SpecialTokenIds;
}
