/**
 * @mentions as Twitter writes them (`@` or `＠`, 1–20 of `A-Z a-z 0-9 _`, not inside a word).
 * Close to twitter-text's rule; used only on cleaned queries, for the word check and the
 * tokenizer's training text.
 */
const MENTION = /(^|[^\p{L}\p{N}_])[@＠][A-Za-z0-9_]{1,20}(?![A-Za-z0-9_@＠])/gu;
const LETTER = /\p{L}/u;

/**
 * Whether a cleaned query has a word: a letter somewhere outside its @mentions. Queries of
 * mentions, numbers, emoji or punctuation only give a model nothing to read.
 *
 * @example
 * ```ts
 * hasWord("@coach great call 🏒"); // true
 * hasWord("@coach 🏒 10/10 !!"); // false
 * ```
 */
export function hasWord(query: string): boolean {
  return LETTER.test(query.replace(MENTION, "$1"));
}

/**
 * A cleaned query as the tokenizer trainer should read it: mentions become `@user` (as the
 * encoder writes them), and the text stays on one line.
 *
 * @example
 * ```ts
 * tokenizerTrainingText("@coach great call"); // "@user great call"
 * ```
 */
export function tokenizerTrainingText(query: string): string {
  return query.replace(MENTION, "$1@user").replace(/[\r\n\u2028\u2029]+/gu, " ");
}
