import { describe, expect, it } from "vitest";
import { extractHashtags, findEntities, hashtagKey } from "../../src/data/hashtags.js";

describe("extractHashtags (Twitter's rules)", () => {
  it.each([
    ["plain", "Lest we forget #AnzacDay", ["anzacday"]],
    ["case-folded, once per tweet", "#Leafs #LEAFS #leafs", ["leafs"]],
    ["URL fragment is not a hashtag", "see https://example.com/page#section and #real", ["real"]],
    ["bare-domain fragment is not a hashtag", "leafs.com/#go #go_leafs!", ["go_leafs"]],
    ["full-width ＃", "＃日本 is a tag", ["日本"]],
    ["all digits is not a hashtag", "#2023 #123 but #2023Final", ["2023final"]],
    ["emoji ends a hashtag", "go #Leafs🍁 now", ["leafs"]],
    ["emoji variation selector is dropped", "#tag\uFE0F done", ["tag"]],
    ["Cyrillic", "#Москва сегодня", ["москва"]],
    ["Korean", "#한국어 공부", ["한국어"]],
    ["Arabic", "#رمضان_كريم", ["رمضان_كريم"]],
    ["accented Latin", "#Café #CAFÉ", ["café"]],
    ["no hashtag after a letter", "abc#def", []],
    ["HTML entity prefix is not a hashtag", "&#39;s", []],
    ["lone #", "# not a tag", []],
  ])("%s", (_name, text, expected) => {
    expect(extractHashtags(text)).toEqual(expected);
  });

  it("keeps the author's casing and the mention offsets", () => {
    const { hashtags, urls } = findEntities("A #AnzacDay dawn https://t.co/x");
    expect(hashtags).toEqual([{ key: "anzacday", display: "AnzacDay", start: 2, end: 11 }]);
    expect(urls).toEqual([{ start: 17, end: 31 }]);
  });
});

describe("hashtagKey", () => {
  it.each([
    ["#AnzacDay", "anzacday"],
    ["＃ＡｎｚａｃＤａｙ", "anzacday"],
    ["Leafs", "leafs"],
    ["#ÉTÉ", "été"],
    ["#e\u0301te", "éte"],
  ])("%s → %s", (tag, key) => {
    expect(hashtagKey(tag)).toBe(key);
  });
});
