const WORD = /[\p{L}\p{M}\p{N}_]{2,}/gu;

/**
 * Word unigrams and bigrams of a text, lower-cased; words are runs of two or more letters,
 * marks, digits or `_` (scikit-learn's default token pattern, extended to combining marks).
 *
 * @example
 * ```ts
 * termsOf("Lest we forget, Anzac!"); // ["lest", "we", "forget", "anzac", "lest we", "we forget", "forget anzac"]
 * ```
 */
export function termsOf(text: string): string[] {
  const words = text.toLowerCase().match(WORD) ?? [];
  const terms = [...words];
  for (let i = 1; i < words.length; i++) terms.push(`${words[i - 1]} ${words[i]}`);
  return terms;
}

/** Each term of a text ({@link termsOf}) with how often it occurs, in order of first occurrence. */
export function termCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of termsOf(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}
