import { decodeHTML } from "entities";

/**
 * A closing tag or a line break of the HTML that Mastodon and other ActivityPub servers send as a
 * post's `content` (`</p>`, `</a>`, `</span>`, `<br>`). Tweets never hold one (Twitter sends `<` as
 * `&lt;`), and a draft typed with angle brackets ("<a lot>", "a<b and c>d") rarely does: an
 * opening tag alone is not enough.
 */
const POST_HTML = /<\/(?:p|a|span)>|<br\s*\/?>/iu;
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
