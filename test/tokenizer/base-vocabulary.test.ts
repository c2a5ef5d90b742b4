import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadBaseVocabulary } from "../../src/tokenizer/base-vocabulary.js";
import { buildHashtagTokenizer, saveTokenizerFiles } from "../../src/tokenizer/build.js";
import { HashtagTokenizer } from "../../src/tokenizer/hashtag-tokenizer.js";
import { FIXTURES } from "../cli/cli.js";

const TINY_BERT = join(FIXTURES, "tiny-bert");
const temp = () => mkdtempSync(join(tmpdir(), "hf-base-"));

describe("loadBaseVocabulary (a Hugging Face BERT checkpoint's tokenizer)", () => {
  it("reads vocab.txt, keeps the checkpoint's ids and puts [URL] in place of [unused0]", async () => {
    const base = await loadBaseVocabulary(TINY_BERT);
    expect(base.tokens.length).toBe(78);
    expect(base.tokens.slice(0, 7)).toEqual(["[PAD]", "[URL]", "[unused1]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]);
    expect(base.lowercase).toBe(true);
  });

  it("builds a tokenizer with the checkpoint's special ids and the hashtags after its vocabulary", async () => {
    const dir = temp();
    await saveTokenizerFiles(dir, buildHashtagTokenizer(await loadBaseVocabulary(TINY_BERT), ["leafs", "anzacday"]), { maxLength: 16 });
    const tok = await HashtagTokenizer.load(dir);
    expect([tok.pad_token_id, tok.url_token_id, tok.unk_token_id, tok.cls_token_id, tok.sep_token_id, tok.mask_token_id]).toEqual([0, 1, 3, 4, 5, 6]);
    expect([tok.hashtag_token_offset, tok.num_hashtags, tok.vocab_size]).toEqual([78, 2, 80]);
    const q = tok.encodeQuery("the leafs won #Leafs @bob https://t.co/x");
    expect(q.input_ids.map((id) => tok.idToToken(id))).toEqual(["[CLS]", "the", "leafs", "won", "#leafs", "@", "user", "[URL]", "[MASK]", "[SEP]"]);
  });

  it("reads a tokenizer.json with the same ids as the vocab.txt it came from", async () => {
    const base = await loadBaseVocabulary(TINY_BERT);
    const dir = temp();
    await saveTokenizerFiles(dir, buildHashtagTokenizer(base, []), { maxLength: 16 });
    const again = await loadBaseVocabulary(dir);
    expect(again.tokens).toEqual(base.tokens);
    expect(again.lowercase).toBe(true);
  });

  it("leaves out the hashtag tokens of a model of ours (config.json's hashtag_token_offset), so a new prepare can add its own", async () => {
    const base = await loadBaseVocabulary(TINY_BERT);
    const dir = temp();
    await saveTokenizerFiles(dir, buildHashtagTokenizer(base, ["leafs", "anzacday"]), { maxLength: 16 });
    expect((await loadBaseVocabulary(dir)).tokens).toHaveLength(80); // no config.json: all of it is vocabulary
    writeFileSync(join(dir, "config.json"), JSON.stringify({ model_type: "bert", hashtag_token_offset: 78 }));
    const again = await loadBaseVocabulary(dir);
    expect(again.tokens).toEqual(base.tokens);
    expect(buildHashtagTokenizer(again, ["mayday"]).native.tokenToId("#mayday")).toBe(78);
  });

  it("appends [URL] when there is no [unused0]", async () => {
    const dir = temp();
    writeFileSync(join(dir, "vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\n");
    expect((await loadBaseVocabulary(dir)).tokens).toEqual(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "[URL]"]);
  });

  it.each([
    ["a missing directory", () => join(tmpdir(), "no-such-checkpoint"), "FILE_NOT_FOUND", /no such directory/u],
    ["a directory without tokenizer files", () => temp(), "FILE_NOT_FOUND", /no tokenizer.json or vocab.txt/u],
    [
      "a vocab.txt without [MASK]",
      () => {
        const dir = temp();
        writeFileSync(join(dir, "vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\na\n");
        return dir;
      },
      "MODEL_INVALID",
      /no \[MASK\] token/u,
    ],
    [
      "a BPE tokenizer.json",
      () => {
        const dir = temp();
        writeFileSync(join(dir, "tokenizer.json"), JSON.stringify({ model: { type: "BPE", vocab: {} } }));
        return dir;
      },
      "MODEL_INVALID",
      /model is BPE, expected WordPiece/u,
    ],
  ])("rejects %s", async (_name, makeDir, code, message) => {
    await expect(loadBaseVocabulary(makeDir())).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
  });
});

describe("buildHashtagTokenizer", () => {
  it("leaves out a hashtag whose #key is already a base token, keeping the rest contiguous", () => {
    const base = { tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[URL]", "#", "#note", "a"], lowercase: true, source: "test" };
    const built = buildHashtagTokenizer(base, ["leafs", "note", "notes"]);
    expect(built.skipped).toEqual(["note"]);
    expect(built.hashtags).toEqual(["leafs", "notes"]);
    expect([built.hashtag_token_offset, built.num_hashtags, built.vocab_size]).toEqual([9, 2, 11]);
    expect(built.native.tokenToId("#notes")).toBe(10);
  });

  it("rejects a vocabulary with a token twice", () => {
    const base = { tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[URL]", "a", "a"], lowercase: true, source: "test" };
    expect(() => buildHashtagTokenizer(base, [])).toThrow(/token 'a' appears twice/u);
  });
});
