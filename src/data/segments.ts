import { decodeHTML } from "entities";
import twitter from "twitter-text";
import { hashtagKey } from "./hashtags.js";
import { htmlToText, looksLikeHtml } from "./html.js";

/** The retweet prefix `RT @user:` that tweets start with; training, evaluation and serving drop it. */
const RETWEET_PREFIX = /^\s*RT\s+@\w+:?\s*/u;
/** Links Twitter's rules miss (a truncated `https://t.co/…`); the cleaning function removes them too. */
export const LEFTOVER_URL = /\bhttps?:\/\/\S*/giu;

/**
 * One piece of a text, in order: plain text, a hashtag (with its lookup key), a link or an
 * @mention. `text` is always the exact slice of the input, so joining every `text` gives it back.
 *
 * @example
 * ```ts
 * const segment: Segment = { kind: "hashtag", text: "#AnzacDay", key: "anzacday" };
 * ```
 */
export type Segment =
  | { kind: "text"; text: string }
  | { kind: "hashtag"; text: string; key: string }
  | { kind: "url"; text: string }
  | { kind: "mention"; text: string };

/**
 * A raw tweet as the cleaning function reads it: HTML entities decoded, a leading
 * `RT @user:` dropped. Hashtags, links and mentions stay. A post in HTML (a Mastodon status's
 * `content`) is read as its text first.
 *
 * @example
 * ```ts
 * tweetBody("RT @WarintheFuture: Fish &amp; chips #AnzacDay"); // "Fish & chips #AnzacDay"
 * tweetBody('<p>Fish <a href="https://m.s/tags/AnzacDay" rel="tag">#<span>AnzacDay</span></a></p>'); // "Fish #AnzacDay\n"
 * ```
 */
export function tweetBody(raw: string): string {
  return (looksLikeHtml(raw) ? htmlToText(raw) : decodeHTML(raw)).replace(RETWEET_PREFIX, "");
}

function pushText(out: Segment[], text: string): void {
  if (text.length === 0) return;
  let at = 0;
  for (const match of text.matchAll(LEFTOVER_URL)) {
    if (match.index > at) out.push({ kind: "text", text: text.slice(at, match.index) });
    out.push({ kind: "url", text: match[0] });
    at = match.index + match[0].length;
  }
  if (at < text.length) out.push({ kind: "text", text: text.slice(at) });
}

/**
 * Splits a text into plain text, hashtags, links and @mentions with one pass of Twitter's own
 * rules (`twitter-text`, as `findEntities` uses them); hashtag keys come from `hashtagKey`.
 * Cashtags stay plain text. The text is taken as it is: call {@link tweetBody} first for a raw tweet.
 *
 * @example
 * ```ts
 * segmentText("Dawn @abc #AnzacDay https://t.co/x").map((s) => s.kind);
 * // ["text", "mention", "text", "hashtag", "text", "url"]
 * ```
 */
export function segmentText(text: string): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  for (const entity of twitter.extractEntitiesWithIndices(text)) {
    const [start, end] = entity.indices;
    if (start < at) continue;
    let segment: Segment | undefined;
    const slice = text.slice(start, end);
    if ("hashtag" in entity) {
      const key = hashtagKey(entity.hashtag);
      if (key.length > 0) segment = { kind: "hashtag", text: slice, key };
    } else if ("url" in entity) {
      segment = { kind: "url", text: slice };
    } else if ("screenName" in entity) {
      segment = { kind: "mention", text: slice };
    }
    if (!segment) continue;
    pushText(out, text.slice(at, start));
    out.push(segment);
    at = end;
  }
  pushText(out, text.slice(at));
  return out;
}

/**
 * The cleaned query rebuilt from segments: what `analyzeText(raw).query` gives (hashtags and
 * links removed, whitespace collapsed). Used to check that encoding and cleaning agree.
 *
 * @example
 * ```ts
 * queryOfSegments(segmentText(tweetBody("RT @a: Dawn #AnzacDay service"))); // "Dawn service"
 * ```
 */
export function queryOfSegments(segments: readonly Segment[]): string {
  return segments
    .map((s) => (s.kind === "text" || s.kind === "mention" ? s.text : " "))
    .join("")
    .replace(/\s+/gu, " ")
    .trim();
}
