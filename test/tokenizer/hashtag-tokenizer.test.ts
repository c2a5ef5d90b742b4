import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { HashtagRecError } from "../../src/core/errors.js";
import { HashtagTokenizer } from "../../src/tokenizer/hashtag-tokenizer.js";
import { buildTestTokenizer } from "./helpers.js";

const KEYS = ["anzacday", "leafs", "note", "notes"];
let setup: Awaited<ReturnType<typeof buildTestTokenizer>>;
let tok: HashtagTokenizer;
const tokens = (ids: number[]) => setup.tokens(ids);

beforeAll(async () => {
  setup = await buildTestTokenizer(KEYS);
  tok = setup.tokenizer;
});

describe("HashtagTokenizer vocabulary", () => {
  it("puts the special tokens first and the hashtags last, contiguous, in the order given", () => {
    expect([tok.pad_token_id, tok.unk_token_id, tok.cls_token_id, tok.sep_token_id, tok.mask_token_id, tok.url_token_id]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(tok.num_hashtags).toBe(4);
    expect(tok.hashtag_token_offset + tok.num_hashtags).toBe(tok.vocab_size);
    expect(KEYS.map((k) => tok.hashtagId(k))).toEqual([0, 1, 2, 3].map((i) => tok.hashtag_token_offset + i));
    expect(tok.idToToken(tok.hashtag_token_offset)).toBe("#anzacday");
    expect(tok.hashtagKeyOf(tok.hashtag_token_offset + 3)).toBe("notes");
    expect(tok.hashtagKeyOf(tok.mask_token_id)).toBeUndefined();
  });

  it.each([["#AnzacDay"], ["#anzacday"], ["AnzacDay"], ["#ANZACDAY"], ["＃ＡｎｚａｃＤａｙ"]])("hashtagId(%j) is anzacday's", (tag) => {
    expect(tok.hashtagId(tag)).toBe(tok.hashtag_token_offset);
  });

  it("records the hashtags as added tokens in tokenizer.json", async () => {
    const { readFileSync } = await import("node:fs");
    const json = JSON.parse(readFileSync(join(setup.dir, "tokenizer.json"), "utf8")) as { added_tokens: { id: number; content: string; special: boolean; single_word: boolean }[] };
    const hashtags = json.added_tokens.filter((t) => !t.special);
    expect(hashtags.map((t) => [t.id, t.content, t.single_word])).toEqual(KEYS.map((k, i) => [tok.hashtag_token_offset + i, `#${k}`, true]));
    expect(json.added_tokens.filter((t) => t.special).map((t) => t.content)).toEqual(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[URL]"]);
  });
});

describe("HashtagTokenizer.encodeTraining", () => {
  it.each([
    ["a vocabulary hashtag is one token", "lest we forget #AnzacDay", ["lest", "we", "forget", "#anzacday"]],
    ["any casing maps to the same token", "#anzacday #ANZACDAY #AnzacDay", ["#anzacday", "#anzacday", "#anzacday"]],
    ["#notes stays #notes, not #note + s", "taking #notes", ["taking", "#notes"]],
    ["#note stays #note", "a #note", ["a", "#note"]],
    ["hashtags in the middle stay in place", "the #leafs won", ["the", "#leafs", "won"]],
    ["a link is [URL]", "the game https://t.co/AbC123 tonight", ["the", "game", "[URL]", "tonight"]],
    ["a bare domain is [URL]", "the game leafs.com/#go", ["the", "game", "[URL]"]],
    ["a truncated t.co link is [URL] (its … stays, as in the cleaned query)", "the game… https://t.co/…", ["the", "game", "…", "[URL]", "…"]],
    ["a mention is @user", "@Coach_1 what a game", ["@", "user", "what", "a", "game"]],
    ["a leading RT @user: is dropped", "RT @fan_page: the #Leafs won", ["the", "#leafs", "won"]],
    ["HTML entities are decoded", "fish &amp; chips", ["fish", "&", "chips"]],
    ["&amp;# is no hashtag", "q&amp;#notes", ["q", "&", "#", "notes"]],
    ["typed [MASK] is text, not the mask token", "[MASK] game", ["[", "mask", "]", "game"]],
  ])("%s", (_name, raw, expected) => {
    expect(tokens(tok.encodeTraining(raw))).toEqual(expected);
  });

  it("falls back to # and word pieces for a hashtag outside the vocabulary", () => {
    const ids = tok.encodeTraining("#GameNotes #Leafsgame");
    const pieces = tokens(ids);
    expect(pieces[0]).toBe("#");
    expect(ids.every((id) => id < tok.hashtag_token_offset)).toBe(true);
    expect(pieces.join(" ").replace(/ ##/gu, "")).toBe("# gamenotes # leafsgame");
  });

  it("encodeText takes the text as it is (no entity decoding, no RT removal)", () => {
    expect(tokens(tok.encodeText("RT @fan: hi"))).toEqual(["rt", "@", "user", ":", "hi"]);
  });
});

describe("HashtagTokenizer word-piece memory", () => {
  // The memory is private; its size is what bounds a server's RAM, so the test reads it.
  const remembered = (t: HashtagTokenizer) => (t as unknown as { wordPieces: Map<string, unknown> }).wordPieces;

  it("remembers short words, not long ones, and gives the same ids either way", async () => {
    const fresh = (await buildTestTokenizer(KEYS)).tokenizer;
    const long = "lest".repeat(20); // 80 characters
    const text = `lest we forget ${long}`;
    const first = fresh.encodeWordPieces(text);
    expect(fresh.encodeWordPieces(text)).toEqual(first);
    expect([...remembered(fresh).keys()].sort()).toEqual(["@user", "forget", "lest", "we"]); // "@user": what a mention becomes, encoded at load
  });
});

describe("HashtagTokenizer.encodeQuery", () => {
  it("adds [CLS], a [MASK] at the end and [SEP], with an all-ones attention mask", () => {
    const q = tok.encodeQuery("the leafs won");
    expect(tokens(q.input_ids)).toEqual(["[CLS]", "the", "leafs", "won", "[MASK]", "[SEP]"]);
    expect(q.attention_mask).toEqual([1, 1, 1, 1, 1, 1]);
    expect(q.mask_position).toBe(4);
  });

  it.each([
    [0, ["[CLS]", "[MASK]", "the", "leafs", "won", "[SEP]"], 1],
    [4, ["[CLS]", "the", "[MASK]", "leafs", "won", "[SEP]"], 2],
    [13, ["[CLS]", "the", "leafs", "won", "[MASK]", "[SEP]"], 4],
  ])("puts the [MASK] at character %i", (maskAt, expected, position) => {
    const q = tok.encodeQuery("the leafs won", { maskAt });
    expect(tokens(q.input_ids)).toEqual(expected);
    expect(q.mask_position).toBe(position);
  });

  it("encodes hashtags, links and mentions in a query like training text", () => {
    expect(tokens(tok.encodeQuery("@bob #Leafs https://t.co/x").input_ids)).toEqual(["[CLS]", "@", "user", "#leafs", "[URL]", "[MASK]", "[SEP]"]);
  });

  it.each([
    ["mask at the end keeps the last tokens", undefined, 6, ["[CLS]", "f", "g", "h", "[MASK]", "[SEP]"]],
    ["mask in the middle keeps both sides", 8, 7, ["[CLS]", "c", "d", "[MASK]", "e", "f", "[SEP]"]],
    ["a short side is kept whole", 14, 7, ["[CLS]", "e", "f", "g", "[MASK]", "h", "[SEP]"]],
    ["mask at the start keeps the first tokens", 0, 5, ["[CLS]", "[MASK]", "a", "b", "[SEP]"]],
  ])("truncation: %s", (_name, maskAt, maxLength, expected) => {
    const q = tok.encodeQuery("a b c d e f g h", { maskAt, maxLength });
    expect(q.input_ids.length).toBe(maxLength);
    expect(tokens(q.input_ids)).toEqual(expected);
    expect(q.input_ids[q.mask_position]).toBe(tok.mask_token_id);
    expect(q.input_ids[q.input_ids.length - 1]).toBe(tok.sep_token_id);
  });

  it("uses the max_length it was loaded with", async () => {
    const short = await HashtagTokenizer.load(setup.dir, { maxLength: 4 });
    expect(short.encodeQuery("the leafs won").input_ids.length).toBe(4);
    expect(short.max_length).toBe(4);
  });

  it.each([[-1], [14], [1.5]])("rejects maskAt %s outside the text", (maskAt) => {
    expect(() => tok.encodeQuery("the leafs won", { maskAt })).toThrow(/maskAt must be an integer from 0 to 13/u);
  });

  it("rejects a maxLength with no room for [CLS] [MASK] [SEP]", () => {
    expect(() => tok.encodeQuery("x", { maxLength: 2 })).toThrow(HashtagRecError);
  });
});

describe("HashtagTokenizer.load", () => {
  it("checks hashtags.json against the hashtag tokens", async () => {
    writeFileSync(join(setup.dir, "hashtags.json"), JSON.stringify(KEYS.map((key) => ({ key }))));
    await expect(HashtagTokenizer.load(setup.dir)).resolves.toBeInstanceOf(HashtagTokenizer);
    writeFileSync(join(setup.dir, "hashtags.json"), JSON.stringify([...KEYS].reverse().map((key) => ({ key }))));
    await expect(HashtagTokenizer.load(setup.dir)).rejects.toMatchObject({ code: "MODEL_INVALID" });
  });

  it("names a missing file and a tokenizer without special tokens", async () => {
    await expect(HashtagTokenizer.load(join(setup.dir, "nowhere"))).rejects.toMatchObject({ code: "FILE_NOT_FOUND" });
    expect(() => HashtagTokenizer.fromJSON({ model: { vocab: { a: 0 } } })).toThrow(/no \[PAD\], \[UNK\], \[CLS\], \[SEP\], \[MASK\], \[URL\] token/u);
  });
});

describe("HashtagTokenizer max_length", () => {
  it("defaults to model_max_length of tokenizer_config.json", async () => {
    const short = await buildTestTokenizer(["leafs"], { maxLength: 5 });
    const again = await HashtagTokenizer.load(short.dir);
    expect(again.max_length).toBe(5);
    expect((await HashtagTokenizer.fromFile(join(short.dir, "tokenizer.json"))).max_length).toBe(64);
  });
});
