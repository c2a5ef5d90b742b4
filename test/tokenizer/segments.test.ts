import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../src/data/clean.js";
import { queryOfSegments, segmentText, tweetBody } from "../../src/data/segments.js";
import { FIXTURES } from "../cli/cli.js";

const RAW = [
  "RT @WarintheFuture: A beautiful #AnzacDay Dawn Service",
  "Fish &amp; chips &lt;3 &quot;yum&quot;",
  "Q&amp;#A session",
  "read https://example.com/a#frag now #news",
  "long text… https://t.co/AbC123",
  "visit leafs.com/#go today",
  "#Leafs win again #GoLeafsGo",
  "@coach great call 🏒 #Leafs",
  "a\n\n  b\t#c",
  "#a #b https://t.co/x",
  "I RT @x: stuff",
  "cut off https://t.co/…",
  "list @user/friends and $AAPL #1 #café️",
  ...readFileSync(join(FIXTURES, "tiny-tweets.jsonl"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { text: string }).text),
];

describe("segmentText", () => {
  it.each(RAW)("agrees with analyzeText on %j (same query, same hashtag keys)", (raw) => {
    const segments = segmentText(tweetBody(raw));
    const analyzed = analyzeText(raw);
    expect(queryOfSegments(segments)).toBe(analyzed.query);
    expect(segments.filter((s) => s.kind === "hashtag").map((s) => s.key)).toEqual(analyzed.mentions.map((m) => m.key));
    expect(segments.map((s) => s.text).join("")).toBe(tweetBody(raw));
  });

  it("splits text, mentions, hashtags and links in order", () => {
    expect(segmentText("Dawn @abc #AnzacDay https://t.co/x").map((s) => [s.kind, s.text])).toEqual([
      ["text", "Dawn "],
      ["mention", "@abc"],
      ["text", " "],
      ["hashtag", "#AnzacDay"],
      ["text", " "],
      ["url", "https://t.co/x"],
    ]);
  });
});
