import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { openTweets, parseTime } from "../../src/data/readers.js";
import type { Tweet } from "../../src/data/tweet.js";

const dir = mkdtempSync(join(tmpdir(), "hashtag-rec-readers-"));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function readAll(path: string, fields = {}) {
  const source = await openTweets(path, fields);
  const rows: Tweet[] = [];
  for await (const row of source.rows) rows.push(row);
  return { rows, malformed: source.malformed };
}

const JSONL = [
  '{"id": "1", "created_at": "2023-05-11T10:00:00Z", "text": "first #a"}',
  "{not json",
  '{"id": "3", "created_at": "2023-05-11T10:00:00Z"}',
  '{"id": "4", "created_at": "yesterday", "text": "bad date"}',
  "",
  '{"id": 5, "text": "no time is fine"}',
  "[1, 2]",
  '{"id_str": "7", "full_text": "aliases work", "created_at": "Wed Oct 10 20:19:24 +0000 2018"}',
].join("\n");

describe("JSON lines reader", () => {
  it("counts malformed rows with their line numbers and keeps the good ones", async () => {
    const { rows, malformed } = await readAll(file("mixed.jsonl", JSONL));
    expect(rows.map((r) => r.id)).toEqual(["1", "5", "7"]);
    expect(rows[0]).toEqual({ id: "1", createdAt: Date.parse("2023-05-11T10:00:00Z"), text: "first #a", line: 1 });
    expect(rows[1]!.createdAt).toBeUndefined();
    expect(rows[2]!.createdAt).toBe(Date.parse("2018-10-10T20:19:24Z"));
    expect(malformed.count).toBe(4);
    expect(malformed.listed).toEqual([
      { line: 2, reason: "bad JSON" },
      { line: 3, reason: "missing text" },
      { line: 4, reason: "bad date 'yesterday'" },
      { line: 7, reason: "not a JSON object" },
    ]);
    expect(malformed.summary()).toContain("line 2: bad JSON");
  });

  it("reads gzip by its magic bytes, whatever the name", async () => {
    const { rows, malformed } = await readAll(file("mixed.data", gzipSync(JSONL)), { format: "jsonl" });
    expect(rows).toHaveLength(3);
    expect(malformed.count).toBe(4);
  });

  it("follows dotted field paths", async () => {
    const path = file("nested.jsonl", '{"tweet": {"body": "hi #x", "at": 1683800000}, "key": "k1"}\n');
    const { rows } = await readAll(path, { textField: "tweet.body", timeField: "tweet.at", idField: "key" });
    expect(rows).toEqual([{ id: "k1", createdAt: 1683800000_000, text: "hi #x", line: 1 }]);
  });

  it("reads Mastodon statuses: HTML content, a boost's from the boosted post, an empty text skipped for the next name", async () => {
    const status = (id: string, content: string, reblog?: object) =>
      JSON.stringify({ id, created_at: "2023-05-13T20:00:00.000Z", content, reblog: reblog ?? null, tags: [] });
    const html = '<p>Final <a href="https://m.s/tags/Eurovision" class="mention hashtag" rel="tag">#<span>Eurovision</span></a></p>';
    const path = file(
      "mastodon.jsonl",
      [status("1", html), status("2", "", { content: html }), status("3", ""), '{"id": "4", "text": "", "full_text": "long #x"}'].join("\n"),
    );
    const { rows, malformed } = await readAll(path);
    expect(rows.map((r) => [r.id, r.text])).toEqual([["1", html], ["2", html], ["4", "long #x"]]);
    expect(rows[0]!.createdAt).toBe(Date.parse("2023-05-13T20:00:00Z"));
    expect(malformed.listed).toEqual([{ line: 3, reason: "missing text" }]);
  });

  it("prefers the full text of a long tweet to the cut one (Twitter API v2 and v1.1)", async () => {
    const path = file(
      "api.jsonl",
      [
        '{"id": "1", "text": "cut… https://t.co/x", "note_tweet": {"text": "the whole post #v2"}}',
        '{"id_str": "2", "text": "cut… https://t.co/y", "truncated": true, "extended_tweet": {"full_text": "the whole post #v11"}}',
        '{"id_str": "3", "text": "cut…", "full_text": "the whole post #extended"}',
      ].join("\n"),
    );
    expect((await readAll(path)).rows.map((r) => r.text)).toEqual(["the whole post #v2", "the whole post #v11", "the whole post #extended"]);
  });

  it("takes a blank id or time as none and a blank text as missing", async () => {
    const path = file("blank.jsonl", ['{"id": " ", "created_at": " ", "text": "blank id and time #c"}', '{"id": "2", "text": "  "}'].join("\n"));
    const { rows, malformed } = await readAll(path);
    expect(rows).toEqual([{ id: "line-1", createdAt: undefined, text: "blank id and time #c", line: 1 }]);
    expect(malformed.listed).toEqual([{ line: 2, reason: "missing text" }]);
  });

  it("names a missing file", async () => {
    await expect(openTweets(join(dir, "nope.jsonl"))).rejects.toMatchObject({ code: "FILE_NOT_FOUND" });
  });
});

describe("CSV reader", () => {
  const CSV = [
    "Tweet_ID,Date,Tweet,Likes",
    '1,2023-05-11 10:00:00Z,"plain #a",3',
    '2,2023-05-11T11:00:00Z,"quoted, with comma and ""quotes""\nand a newline #b",0',
    "3,2023-05-11T12:00:00Z,too,many,fields",
    '4,,"no date #c",1',
    '5,2023-05-11T13:00:00Z,"",1',
  ].join("\r\n");

  it("reads each row's first column of a field that is not empty, in the order the names are tried", async () => {
    const csv = ["id,text,full_text,created_at", '1,"short #a",,2023-05-11T10:00:00Z', '2,"cut…","the whole post #b",', "3,,,"].join("\n");
    const { rows, malformed } = await readAll(file("columns.csv", csv));
    expect(rows.map((r) => [r.id, r.text, r.createdAt])).toEqual([
      ["1", "short #a", Date.parse("2023-05-11T10:00:00Z")],
      ["2", "the whole post #b", undefined],
    ]);
    expect(malformed.listed).toEqual([{ line: 4, reason: "missing text" }]);
  });

  it("maps header aliases, parses quoted fields across lines, reports bad rows by line", async () => {
    const { rows, malformed } = await readAll(file("t.csv", "\uFEFF" + CSV));
    expect(rows.map((r) => [r.id, r.text, r.line])).toEqual([
      ["1", "plain #a", 2],
      ["2", 'quoted, with comma and "quotes"\nand a newline #b', 3],
      ["4", "no date #c", 6],
    ]);
    expect(malformed.listed).toEqual([
      { line: 5, reason: "expected 4 fields, found 5" },
      { line: 7, reason: "missing text" },
    ]);
  });

  it("takes --text-field for other column names and fails clearly without a text column", async () => {
    const path = file("other.csv", "when,message\n2023-05-11,hello #x\n");
    const { rows } = await readAll(path, { textField: "message", timeField: "when" });
    expect(rows[0]).toMatchObject({ text: "hello #x", createdAt: Date.parse("2023-05-11") });
    await expect(readAll(path)).rejects.toMatchObject({ code: "UNSUPPORTED_FORMAT" });
  });
});

describe("parseTime", () => {
  it.each([
    ["2023-05-11T10:00:00Z", Date.parse("2023-05-11T10:00:00Z")],
    [1683800000, 1683800000_000],
    ["1683800000123", 1683800000123],
  ])("%s", (value, expected) => {
    expect(parseTime(value)).toBe(expected);
  });
  it("is NaN for nonsense", () => {
    expect(parseTime("soon")).toBeNaN();
  });
});
