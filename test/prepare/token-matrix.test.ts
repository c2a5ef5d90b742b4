import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hasWord, tokenizerTrainingText } from "../../src/prepare/filters.js";
import { isValidation, splitTime } from "../../src/prepare/split.js";
import { dtypeFor, TokenMatrixWriter } from "../../src/prepare/token-matrix.js";

describe("TokenMatrixWriter", () => {
  it.each([
    ["uint16", [2, 17, 3], [2, 0, 17, 0, 3, 0, 0, 0]],
    ["uint32", [2, 70000, 3], [2, 0, 0, 0, 0x70, 0x11, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0]],
  ] as const)("writes little-endian %s rows padded to max_length", async (dtype, row, bytes) => {
    const path = join(mkdtempSync(join(tmpdir(), "matrix-")), "m.bin");
    const writer = new TokenMatrixWriter(path, { maxLength: 4, dtype, padId: 0 });
    await writer.push(row);
    await writer.push([]);
    expect(await writer.close()).toBe(2);
    expect([...readFileSync(path)]).toEqual([...bytes, ...new Array<number>(dtype === "uint16" ? 8 : 16).fill(0)]);
  });

  it("rejects a row longer than max_length", async () => {
    const writer = new TokenMatrixWriter(join(mkdtempSync(join(tmpdir(), "matrix-")), "m.bin"), { maxLength: 2, dtype: "uint16", padId: 0 });
    await expect(writer.push([1, 2, 3])).rejects.toThrow(/longer than max_length 2/u);
    await writer.close();
  });

  it.each([
    [26000, "uint16"],
    [65536, "uint16"],
    [65537, "uint32"],
  ])("vocab_size %i needs %s", (size, dtype) => {
    expect(dtypeFor(size)).toBe(dtype);
  });
});

describe("filters", () => {
  it.each([
    ["@coach great call 🏒", true],
    ["@coach 🏒 10/10 !!", false],
    ["東京", true],
    ["2023", false],
    ["email a@b.com", true],
  ])("hasWord(%j) is %s", (query, expected) => {
    expect(hasWord(query)).toBe(expected);
  });

  it("writes mentions as @user for the tokenizer trainer", () => {
    expect(tokenizerTrainingText("@coach great call, @Bob_2! mail a@b.com")).toBe("@user great call, @user! mail a@b.com");
  });
});

describe("split", () => {
  it("is max_time minus the validation days; rows at the split and later are validation", () => {
    const split = splitTime(Date.parse("2023-05-17T12:00:00Z"), 2)!;
    expect(new Date(split).toISOString()).toBe("2023-05-15T12:00:00.000Z");
    expect([isValidation(split, split), isValidation(split - 1, split), isValidation(null, split)]).toEqual([true, false, false]);
    expect(splitTime(undefined, 2)).toBeUndefined();
    expect(splitTime(1000, 0)).toBeUndefined();
  });
});
