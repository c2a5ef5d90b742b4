import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSplit, parseSplitDate } from "../../src/eval/dataset.js";

const dir = mkdtempSync(join(tmpdir(), "hashtag-rec-dataset-"));
const write = (name: string, rows: object[]) => {
  const path = join(dir, name);
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join("\n"));
  return path;
};

const train = write("train.jsonl", [
  { id: "t1", created_at: "2023-05-01T00:00:00Z", text: "a #x" },
  { id: "t2", created_at: "2023-05-02T00:00:00Z", text: "b #y" },
]);

describe("loadSplit", () => {
  it("--split takes training rows before the date and test rows from it, from one file", async () => {
    const both = write("both.jsonl", [
      { id: "1", created_at: "2023-05-10T23:59:59Z", text: "before #x" },
      { id: "2", created_at: "2023-05-11T00:00:00Z", text: "on #x" },
      { id: "3", text: "no date #x" },
    ]);
    const { train: tr, test, files } = await loadSplit({ data: both, split: parseSplitDate("2023-05-11") });
    expect(tr.map((e) => e.id)).toEqual(["1"]);
    expect(test.map((e) => e.id)).toEqual(["2"]);
    expect(files[0]!.malformed.listed).toEqual([{ line: 3, reason: "no date (needed by --split)" }]);
  });

  it("tweets without times keep file order, 10 s apart, just after the training data", async () => {
    const data = write("undated.jsonl", [{ text: "p #x" }, { text: "q #y" }]);
    const { test } = await loadSplit({ data, train });
    const end = Date.parse("2023-05-02T00:00:00Z");
    expect(test.map((e) => e.time)).toEqual([end + 10_000, end + 20_000]);
  });

  it("an older test set is replayed as if it started just after training, gaps kept", async () => {
    const data = write("older.jsonl", [
      { created_at: "2020-01-01T00:00:00Z", text: "p #x" },
      { created_at: "2020-01-01T01:00:00Z", text: "q #y" },
    ]);
    const { test } = await loadSplit({ data, train });
    const start = Date.parse("2023-05-02T00:00:00Z") + 10_000;
    expect(test.map((e) => e.time)).toEqual([start, start + 3_600_000]);
  });

  it("says so when no test tweet is left", async () => {
    await expect(loadSplit({ data: train, split: parseSplitDate("2030-01-01") })).rejects.toMatchObject({ code: "NO_DATA" });
  });

  it("rejects a split that is no date", () => {
    expect(() => parseSplitDate("tomorrow")).toThrow(/--split must be a date/u);
  });
});
