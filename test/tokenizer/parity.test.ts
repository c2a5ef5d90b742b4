import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer as JsTokenizer } from "@huggingface/tokenizers";
import { Tokenizer } from "tokenizers";
import { beforeAll, describe, expect, it } from "vitest";
import { checkPieceParity } from "../../src/tokenizer/parity.js";
import { buildTestTokenizer } from "./helpers.js";

const TRICKY = [
  "Lest we forget the dawn service",
  "Café crème brûlée ÀÉÎÕÜ and e\u0301",
  "🏒🔥 go leafs go!!! 🇦🇺",
  "東京 tokyo 안녕 مرحبا สวัสดี",
  "tab\tnew\nline and a\u0000nul and zero\u200bwidth",
  "ＦＵＬＬ width ＃ and ＠",
  "x".repeat(150) + " long word",
  "[MASK] [CLS] [SEP] typed by a user",
  "2023-05-01 10:00 $AAPL 10/10 ½",
  "the notes, the note; the game…",
  "",
  "   ",
  "  double  spaces and a trailing one ",
  "a \u0301accent after a space, e\u0301 and \u00a0no-break\u00a0spaces",
  "byte\ufefforder mark and soft\u00adhyphen, ideographic\u3000space",
  "lest we forget lest we forget LEST WE FORGET",
];

let setup: Awaited<ReturnType<typeof buildTestTokenizer>>;
beforeAll(async () => {
  setup = await buildTestTokenizer(["anzacday", "leafs", "note", "notes"]);
});

describe("pure-JS and native tokenizers", () => {
  it("give the same word-piece ids on tricky texts", async () => {
    const report = await checkPieceParity(join(setup.dir, "tokenizer.json"), setup.tokenizer, TRICKY);
    expect(report).toEqual({ checked: TRICKY.length, mismatches: 0 });
    // Again, now that the pure-JS encoder remembers each word's pieces.
    expect(await checkPieceParity(join(setup.dir, "tokenizer.json"), setup.tokenizer, TRICKY)).toEqual({ checked: TRICKY.length, mismatches: 0 });
  });

  it("agree with the native tokenizer and its single_word added tokens on texts with vocabulary hashtags", async () => {
    const native = Tokenizer.fromFile(join(setup.dir, "tokenizer.json"));
    for (const text of ["taking #notes at the #note talk", "#AnzacDay lest we forget", "the #leafs won the game #Leafs"]) {
      const ids = (await native.encode(text, null, { addSpecialTokens: false })).getIds();
      expect(setup.tokenizer.encodeText(text)).toEqual(ids);
    }
  });

  it("both decode hashtag ids to #key from the saved tokenizer.json", async () => {
    const { tokenizer } = setup;
    const ids = [tokenizer.cls_token_id, tokenizer.hashtagId("anzacday")!, tokenizer.hashtagId("notes")!, tokenizer.sep_token_id];
    const native = Tokenizer.fromFile(join(setup.dir, "tokenizer.json"));
    expect(await native.decode(ids, true)).toBe("#anzacday #notes");
    const js = new JsTokenizer(JSON.parse(readFileSync(join(setup.dir, "tokenizer.json"), "utf8")), {});
    expect(js.decode(ids, { skip_special_tokens: true })).toBe("#anzacday #notes");
  });
});
