import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { analyzeText } from "../../src/data/clean.js";
import { prepareData, type PrepareResult } from "../../src/prepare/prepare.js";
import { HashtagTokenizer } from "../../src/tokenizer/hashtag-tokenizer.js";
import { FIXTURES } from "../cli/cli.js";

const CORPUS = join(FIXTURES, "prepare-tweets.jsonl");
const temp = () => mkdtempSync(join(tmpdir(), "prepare-"));

/** The rows of a .bin file as arrays of ids. */
function readMatrix(path: string, n: number, length: number, dtype: string): number[][] {
  const bytes = readFileSync(path);
  const size = dtype === "uint16" ? 2 : 4;
  expect(bytes.length).toBe(n * length * size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: n }, (_, r) =>
    Array.from({ length }, (_, i) => (size === 2 ? view.getUint16((r * length + i) * 2, true) : view.getUint32((r * length + i) * 4, true))),
  );
}

/** Kept fixture rows (lines), in file order: what survives cleaning, filtering and deduplication. */
const TRAIN_LINES = [1, 2, 8, 9, 10, 11, 12];
const VAL_LINES = [13, 14, 15, 16];
const lines = readFileSync(CORPUS, "utf8").split("\n");
const textOf = (line: number) => (JSON.parse(lines[line - 1]!) as { text: string }).text;

describe("prepareData on a fixture corpus", () => {
  const out = temp();
  let result: PrepareResult;
  let tok: HashtagTokenizer;

  beforeAll(async () => {
    result = await prepareData({ data: CORPUS, out, hashtags: "all", maxLength: 16 });
    tok = await HashtagTokenizer.load(out);
  });

  it("writes every file and no temporary ones", () => {
    expect(readdirSync(out).sort()).toEqual(
      ["README.md", "hashtags.json", "meta.json", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "train.bin", "val.bin"].sort(),
    );
  });

  it("meta.json keeps the trainer's contract", () => {
    const meta = JSON.parse(readFileSync(join(out, "meta.json"), "utf8")) as Record<string, unknown>;
    expect(meta).toMatchObject({
      format: "hashtag-rec/v1",
      dtype: "uint16",
      max_length: 16,
      n_train: 7,
      n_val: 4,
      vocab_size: tok.vocab_size,
      pad_token_id: 0,
      unk_token_id: 1,
      cls_token_id: 2,
      sep_token_id: 3,
      mask_token_id: 4,
      hashtag_token_offset: tok.hashtag_token_offset,
      num_hashtags: 4,
    });
    expect((meta.hashtag_token_offset as number) + (meta.num_hashtags as number)).toBe(meta.vocab_size);
    expect(Object.keys(meta).slice(0, 13)).toEqual([
      "format", "dtype", "max_length", "n_train", "n_val", "vocab_size", "pad_token_id", "unk_token_id",
      "cls_token_id", "sep_token_id", "mask_token_id", "hashtag_token_offset", "num_hashtags",
    ]);
  });

  it("counts what it read, dropped and kept", () => {
    expect(result.meta.counts).toMatchObject({
      read: 14,
      malformed: 2,
      empty_query: 1,
      no_word: 1,
      duplicates: 1,
      kept: 11,
      without_time: 1,
      train: 7,
      val: 4,
      hashtag_keys_in_train: 6,
      train_out_of_time_order: 0,
      parity_mismatches: 0,
    });
    const long = [...TRAIN_LINES, ...VAL_LINES].filter((line) => tok.encodeTraining(textOf(line)).length > 14);
    expect(long).toContain(11);
    expect(result.meta.counts.truncated_rows).toBe(long.length);
    expect(result.malformed).toBe("2 malformed rows skipped (line 3: bad JSON; line 7: missing text)");
  });

  it("splits by time: validation is the last 2 days before the latest tweet", () => {
    expect(result.meta.split_time).toBe("2023-05-04T12:00:00.000Z");
    expect(result.meta.last_time).toBe("2023-05-06T12:00:00.000Z");
  });

  it("keeps the training hashtags with ≥2 uses, most used first, in token-id order", () => {
    const hashtags = JSON.parse(readFileSync(join(out, "hashtags.json"), "utf8")) as { key: string; display: string; count: number }[];
    expect(hashtags.map((h) => [h.key, h.display, h.count])).toEqual([
      ["leafs", "Leafs", 5],
      ["anzacday", "AnzacDay", 2],
      ["note", "note", 2],
      ["notes", "notes", 2],
    ]);
    expect(hashtags.map((h) => tok.hashtagId(h.key))).toEqual([0, 1, 2, 3].map((i) => tok.hashtag_token_offset + i));
    expect(tok.hashtagId("eurovision")).toBeUndefined();
  });

  it("writes rows as [CLS] tokens [SEP] [PAD]…, the tokenizer's encoding of each kept tweet in order", () => {
    for (const [file, n, kept] of [["train.bin", 7, TRAIN_LINES], ["val.bin", 4, VAL_LINES]] as const) {
      const rows = readMatrix(join(out, file), n, 16, "uint16");
      rows.forEach((row, i) => {
        const ids = tok.encodeTraining(textOf(kept[i]!)).slice(0, 14);
        expect(row).toEqual([2, ...ids, 3, ...new Array<number>(14 - ids.length).fill(0)]);
      });
    }
  });

  it("puts each hashtag in place as one token", () => {
    const row = readMatrix(join(out, "train.bin"), 7, 16, "uint16")[3]!; // line 9
    const tokens = row.map((id) => tok.idToToken(id));
    expect(row.filter((id) => id >= tok.hashtag_token_offset).map((id) => tok.idToToken(id))).toEqual(["#notes", "#note", "#anzacday"]);
    const sep = tokens.indexOf("[SEP]");
    expect(tokens.slice(sep - 2, sep + 1)).toEqual(["#note", "#anzacday", "[SEP]"]);
    expect(analyzeText(textOf(9)).keys).toEqual(["notes", "note", "anzacday"]);
  });

  it("cuts a long row at max_length and keeps its [SEP]", () => {
    const row = readMatrix(join(out, "train.bin"), 7, 16, "uint16")[5]!; // line 11
    expect(row[0]).toBe(2);
    expect(row[15]).toBe(3);
    expect(row).not.toContain(0);
  });

  it("writes a README with the numbers", () => {
    const readme = readFileSync(join(out, "README.md"), "utf8");
    expect(readme).toContain("| train / val | 7 / 4 ");
    expect(readme).toContain('dtype="<u2"');
  });
});

describe("prepareData options", () => {
  it("--hashtags K keeps the K most used; --blocklist leaves keys out", async () => {
    const block = join(temp(), "block.txt");
    writeFileSync(block, "#Note\n");
    const top3 = await prepareData({ data: CORPUS, out: temp(), hashtags: 3 });
    expect(top3.hashtags.map((h) => h.key)).toEqual(["leafs", "anzacday", "note"]);
    const blocked = await prepareData({ data: CORPUS, out: temp(), hashtags: 3, blocklist: block });
    expect(blocked.hashtags.map((h) => h.key)).toEqual(["leafs", "anzacday", "notes"]);
  });

  it("counts training rows out of time order (the recency prior needs time order)", async () => {
    const shuffled = join(temp(), "reversed.jsonl");
    writeFileSync(shuffled, [...lines].filter((l) => l.length > 0).reverse().join("\n") + "\n");
    const out = temp();
    const { meta } = await prepareData({ data: shuffled, out, hashtags: "all", maxLength: 16 });
    // Reversed: each timed training row but the first is earlier than the one before it.
    expect(meta.counts.train_out_of_time_order).toBe(meta.n_train - 2); // less the first and the one without a time
    expect(readFileSync(join(out, "README.md"), "utf8")).toContain(`${meta.n_train - 2} training rows earlier than a row before them`);
  });

  it("--val-days 0 keeps every row for training", async () => {
    const { meta } = await prepareData({ data: CORPUS, out: temp(), valDays: 0 });
    expect([meta.n_train, meta.n_val, meta.split_time]).toEqual([11, 0, null]);
  });

  it("--tokenizer uses a BERT checkpoint's vocabulary and special ids", async () => {
    const out = temp();
    const { meta } = await prepareData({ data: CORPUS, out, tokenizer: join(FIXTURES, "tiny-bert") });
    expect(meta).toMatchObject({ pad_token_id: 0, unk_token_id: 3, cls_token_id: 4, sep_token_id: 5, mask_token_id: 6, url_token_id: 1, hashtag_token_offset: 78 });
    expect(meta.vocab_size).toBe(78 + meta.num_hashtags);
    const row = readMatrix(join(out, "train.bin"), meta.n_train, 64, "uint16")[0]!;
    expect(row[0]).toBe(4);
  });

  it.each([
    ["every row in validation", { data: join(FIXTURES, "tiny-tweets.jsonl"), valDays: 100 }, "NO_DATA", /no training rows/u],
    ["a missing file", { data: join(FIXTURES, "missing.jsonl") }, "FILE_NOT_FOUND", /cannot read/u],
    ["a missing checkpoint", { tokenizer: join(FIXTURES, "no-such-bert") }, "FILE_NOT_FOUND", /no such directory/u],
    ["a max length too short", { maxLength: 3 }, "INVALID_ARGUMENT", /--max-length must be an integer from 4/u],
    ["a vocabulary over the trainer's limit", { vocabSize: 40000 }, "INVALID_ARGUMENT", /--vocab-size must be an integer from 7 to 30006/u],
  ])("fails on %s", async (_name, options, code, message) => {
    const out = temp();
    await expect(prepareData({ data: CORPUS, out, ...options })).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
    expect(existsSync(join(out, "meta.json"))).toBe(false);
    expect(readdirSync(out).filter((f) => f.startsWith(".prepare-"))).toEqual([]);
  });

  it("fails with NO_DATA when no tweet has a usable query", async () => {
    const data = join(temp(), "empty.jsonl");
    writeFileSync(data, '{"text": "#a #b https://t.co/x"}\n{"text": "🔥 #c"}\n');
    await expect(prepareData({ data, out: temp() })).rejects.toMatchObject({ code: "NO_DATA" });
  });
});
