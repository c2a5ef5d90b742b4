import { findEntities, type HashtagMention } from "./hashtags.js";
import { LEFTOVER_URL, tweetBody } from "./segments.js";

const WHITESPACE = /\s+/gu;

/** What one raw tweet text becomes: the query a recommender sees and the hashtags it should find. */
export interface AnalyzedText {
  /** Cleaned text: entities decoded, no `RT @user:` prefix, no URLs, no hashtags, single spaces. */
  query: string;
  /** The same with its hashtags kept where they are: what the model reads of a draft that holds some (worked out on each read). */
  readonly withHashtags: string;
  /** Distinct hashtag keys in order of first appearance. */
  keys: string[];
  /** Every hashtag mention with its display casing (duplicates kept). */
  mentions: HashtagMention[];
}

/**
 * The one cleaning function shared by training, evaluation and serving.
 * HTML entities are decoded first, so `&amp;#x` reads as the author typed it (`&#x`), which
 * Twitter does not count as a hashtag.
 *
 * @example
 * ```ts
 * analyzeText("RT @WarintheFuture: A beautiful #AnzacDay Dawn Service &amp; more https://t.co/LdZJ").query;
 * // "A beautiful Dawn Service & more"
 * ```
 */
export function analyzeText(raw: string): AnalyzedText {
  const text = tweetBody(raw);
  const { hashtags, urls } = findEntities(text);
  const spans: { start: number; end: number }[] = [...hashtags, ...urls].sort((a, b) => a.start - b.start);
  /** The text without its links, and without its hashtags unless `keepHashtags`, whitespace collapsed. */
  const cleaned = (keepHashtags: boolean): string => {
    const kept = keepHashtags ? new Set<{ start: number; end: number }>(hashtags) : undefined;
    let out = "";
    let at = 0;
    for (const span of spans) {
      if (span.start < at) continue;
      out += text.slice(at, span.start) + (kept?.has(span) ? ` ${text.slice(span.start, span.end)} ` : " ");
      at = span.end;
    }
    return (out + text.slice(at)).replace(LEFTOVER_URL, " ").replace(WHITESPACE, " ").trim();
  };
  return {
    query: cleaned(false),
    // Only drafts read it (the model's input): worked out when asked, not for every tweet ingested or loaded.
    get withHashtags() {
      return cleaned(true);
    },
    keys: [...new Set(hashtags.map((h) => h.key))],
    mentions: hashtags,
  };
}

/** The cleaned query alone (see {@link analyzeText}). */
export function cleanQuery(raw: string): string {
  return analyzeText(raw).query;
}
