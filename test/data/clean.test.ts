import { describe, expect, it } from "vitest";
import { analyzeText, cleanQuery } from "../../src/data/clean.js";

describe("cleanQuery", () => {
  it.each([
    ["drops the retweet prefix", "RT @WarintheFuture: A beautiful #AnzacDay Dawn Service", "A beautiful Dawn Service"],
    ["decodes HTML entities", "Fish &amp; chips &lt;3 &quot;yum&quot;", 'Fish & chips <3 "yum"'],
    ["&amp;# decodes to &# which is no hashtag", "Q&amp;#A session", "Q&#A session"],
    ["removes URLs, fragments included", "read https://example.com/a#frag now #news", "read now"],
    ["removes the t.co link of a truncated tweet", "long text… https://t.co/AbC123", "long text…"],
    ["removes bare domains", "visit leafs.com/#go today", "visit today"],
    ["removes every hashtag, not only trailing ones", "#Leafs win again #GoLeafsGo", "win again"],
    ["keeps @mentions and emoji", "@coach great call 🏒 #Leafs", "@coach great call 🏒"],
    ["collapses whitespace", "a\n\n  b\t#c", "a b"],
    ["a tweet of hashtags only is empty", "#a #b https://t.co/x", ""],
    ["RT only at the start", "I RT @x: stuff", "I RT @x: stuff"],
    ["keeps plain text as it is: an encoded tag", "&lt;p&gt;hello&lt;/p&gt; #a", "<p>hello</p>"],
    ["keeps plain text as it is: a heart and angle brackets", "I <3 you, a<b and c>d #a", "I <3 you, a<b and c>d"],
    ["keeps plain text as it is: what looks like an opening tag", "I need <a lot> of coffee, x<y and z>w #tag", "I need <a lot> of coffee, x<y and z>w"],
    ["keeps plain text as it is: a tag's name alone", "if a<b or c>d then <span> #code", "if a<b or c>d then <span>"],
  ])("%s", (_name, raw, expected) => {
    expect(cleanQuery(raw)).toBe(expected);
  });

  it("reads a post in HTML (a Mastodon status's content) as its text", () => {
    const html =
      '<p>Loving the <a href="https://mastodon.social/tags/Eurovision" class="mention hashtag" rel="tag">#<span>Eurovision</span></a> final' +
      ' <a href="https://example.com/live" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span><span class="">example.com/live</span></a></p>' +
      '<p>with <span class="h-card"><a href="https://m.s/@bob" class="u-url mention">@<span>bob</span></a></span> &amp; co<br />' +
      '<a href="https://m.s/tags/ESC2023" class="mention hashtag" rel="tag">#<span>ESC2023</span></a></p>';
    const result = analyzeText(html);
    expect(result.query).toBe("Loving the final with @bob & co");
    expect(result.keys).toEqual(["eurovision", "esc2023"]);
    expect(result.mentions.map((m) => m.display)).toEqual(["Eurovision", "ESC2023"]);
  });

  it("keeps the hashtags in place in withHashtags, cleaned as the query is", () => {
    const result = analyzeText("RT @a: #Leafs beat #Bruins https://t.co/x &amp; fans#cheer on");
    expect(result.withHashtags).toBe("#Leafs beat #Bruins & fans#cheer on");
    expect(result.query).toBe("beat & fans#cheer on");
    expect(analyzeText("no tags here https://t.co/y").withHashtags).toBe("no tags here");
    // A hashtag right after a cut link stays apart from it, so the link's removal leaves it.
    expect(analyzeText("text https://t…#tag more").withHashtags).toBe("text #tag more");
  });

  it("returns the hashtags it removed, distinct, in order", () => {
    const result = analyzeText("RT @a: #Leafs beat #Bruins &amp; #leafs fans cheer");
    expect(result.keys).toEqual(["leafs", "bruins"]);
    expect(result.mentions.map((m) => m.display)).toEqual(["Leafs", "Bruins", "leafs"]);
    expect(result.query).toBe("beat & fans cheer");
  });
});
