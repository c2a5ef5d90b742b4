import { describe, expect, it } from "vitest";
import { termCounts, termsOf } from "../../src/data/terms.js";

describe("termCounts", () => {
  it("counts each term of termsOf once per occurrence, in order of first occurrence", () => {
    const text = "Go team go! Team spirit";
    expect(termsOf(text)).toEqual(["go", "team", "go", "team", "spirit", "go team", "team go", "go team", "team spirit"]);
    expect([...termCounts(text)]).toEqual([
      ["go", 2],
      ["team", 2],
      ["spirit", 1],
      ["go team", 2],
      ["team go", 1],
      ["team spirit", 1],
    ]);
    expect(termCounts("a ! ?").size).toBe(0);
  });
});
