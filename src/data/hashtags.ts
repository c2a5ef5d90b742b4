import twitter from "twitter-text";

/** A hashtag as it appears in a text: `display` keeps the author's casing, `key` is the lookup form. */
export interface HashtagMention {
  key: string;
  display: string;
  /** UTF-16 offsets of the whole mention, `#` included. */
  start: number;
  end: number;
}

/** A link found by Twitter's rules, with UTF-16 offsets. */
export interface UrlMention {
  start: number;
  end: number;
}

const VARIATION_SELECTORS = /[\uFE00-\uFE0F]/gu;

/**
 * The lookup key of a hashtag: NFKC, lower-cased, variation selectors dropped, no `#`.
 *
 * @example
 * ```ts
 * hashtagKey("#AnzacDay"); // "anzacday"
 * hashtagKey("ＡｎｚａｃＤａｙ"); // "anzacday" (full-width letters fold under NFKC)
 * ```
 */
export function hashtagKey(tag: string): string {
  const bare = tag.startsWith("#") || tag.startsWith("＃") ? tag.slice(1) : tag;
  return bare.normalize("NFKC").toLowerCase().replace(VARIATION_SELECTORS, "").normalize("NFKC");
}

/**
 * Hashtags and links of one text, by Twitter's own rules (`twitter-text`): Unicode letters,
 * `#` or `＃`, never inside a URL, never all digits. One pass over the text finds both.
 */
export function findEntities(text: string): { hashtags: HashtagMention[]; urls: UrlMention[] } {
  const hashtags: HashtagMention[] = [];
  const urls: UrlMention[] = [];
  for (const entity of twitter.extractEntitiesWithIndices(text)) {
    const [start, end] = entity.indices;
    if ("hashtag" in entity) {
      const key = hashtagKey(entity.hashtag);
      if (key.length > 0) hashtags.push({ key, display: entity.hashtag.replace(VARIATION_SELECTORS, ""), start, end });
    } else if ("url" in entity) {
      urls.push({ start, end });
    }
  }
  return { hashtags, urls };
}

/**
 * The distinct hashtag keys of a text, in order of first appearance.
 *
 * @example
 * ```ts
 * extractHashtags("Lest we forget #AnzacDay #anzacday https://t.co/x#frag"); // ["anzacday"]
 * ```
 */
export function extractHashtags(text: string): string[] {
  return [...new Set(findEntities(text).hashtags.map((h) => h.key))];
}
