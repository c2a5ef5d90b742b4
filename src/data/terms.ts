const WORD = /[\p{L}\p{M}\p{N}_]{2,}/gu;
const LETTER_RUN = /[\p{L}\p{M}\p{N}_]+/gu;

/**
 * Scripts written without spaces between words: a run of them is one regex "word" however many
 * words it holds, so it is split by ICU's dictionary-based word breaker instead.
 */
const UNSPACED_SCRIPT = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]/u;
const IDEOGRAPH = /^\p{sc=Han}$/u;

let wordBreaker: Intl.Segmenter | undefined;

/**
 * The words of a run of letters that holds text in a script written without spaces, as ICU's
 * word breaker finds them (`東京オリンピック開幕` → `東京`, `オリンピック`, `開幕`); words of one
 * character are left out, as they are from spaced text, except an ideograph, which is a word.
 */
function unspacedWords(run: string): string[] {
  wordBreaker ??= new Intl.Segmenter("und", { granularity: "word" });
  const words: string[] = [];
  for (const { segment, isWordLike } of wordBreaker.segment(run)) {
    if (isWordLike && ([...segment].length >= 2 || IDEOGRAPH.test(segment))) words.push(segment);
  }
  return words;
}

/**
 * Word unigrams and bigrams of a text, lower-cased; words are runs of two or more letters,
 * marks, digits or `_` (scikit-learn's default token pattern, extended to combining marks). A run
 * in Chinese, Japanese, Thai, Lao, Khmer or Burmese, written without spaces, is split into its
 * words by ICU's word breaker (`Intl.Segmenter`); text without those scripts never reaches it.
 *
 * @example
 * ```ts
 * termsOf("Lest we forget, Anzac!"); // ["lest", "we", "forget", "anzac", "lest we", "we forget", "forget anzac"]
 * termsOf("東京オリンピック開幕"); // ["東京", "オリンピック", "開幕", "東京 オリンピック", "オリンピック 開幕"]
 * ```
 */
export function termsOf(text: string): string[] {
  const lower = text.toLowerCase();
  const words = UNSPACED_SCRIPT.test(lower)
    ? (lower.match(LETTER_RUN) ?? []).flatMap((run) =>
        UNSPACED_SCRIPT.test(run) ? unspacedWords(run) : [...run].length >= 2 ? [run] : [],
      )
    : (lower.match(WORD) ?? []);
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
