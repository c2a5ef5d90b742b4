import { decodeHTML } from "entities";

/**
 * A tag of the HTML that Mastodon and other ActivityPub servers send as a post's `content`
 * (`<p>`, `<br>`, `<a>`, `<span>`). Tweets never hold one: Twitter sends `<` as `&lt;`.
 */
const POST_HTML = /<(?:p|br|a|span)(?:\s[^<>]*)?\/?>|<\/(?:p|a|span)>/iu;
/** Tags that end a line or a paragraph. */
const LINE_ENDS = /<br\s*\/?>|<\/(?:p|div|li|h[1-6]|blockquote|pre)>/giu;
const TAGS = /<!--[\s\S]*?-->|<\/?[a-z][^<>]*>/giu;

/** Whether a post's text is HTML (a Mastodon status's `content`) rather than plain text. */
export function looksLikeHtml(text: string): boolean {
  return POST_HTML.test(text);
}

/**
 * The text a reader sees in a post's HTML: line and paragraph ends become line breaks, every tag
 * goes, entities are decoded. A Mastodon hashtag link (`<a … rel="tag">#<span>Eurovision</span></a>`)
 * becomes `#Eurovision`, a mention `@bob`, a link its full address.
 *
 * @example
 * ```ts
 * htmlToText('<p>Final tonight <a href="https://m.s/tags/Eurovision" rel="tag">#<span>Eurovision</span></a></p><p>&amp; more</p>');
 * // "Final tonight #Eurovision\n& more\n"
 * ```
 */
export function htmlToText(html: string): string {
  return decodeHTML(html.replace(LINE_ENDS, "\n").replace(TAGS, ""));
}
