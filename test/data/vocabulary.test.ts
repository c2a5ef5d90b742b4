import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../src/data/clean.js";
import { HashtagCounter, readBlocklist } from "../../src/data/vocabulary.js";

function counterOf(rows: [string, string][]): HashtagCounter {
  const counter = new HashtagCounter();
  for (const [text, at] of rows) counter.add(analyzeText(text).mentions, Date.parse(at));
  return counter;
}

describe("HashtagCounter", () => {
  const counter = counterOf([
    ["#AnzacDay #anzacday dawn", "2023-04-25T01:00:00Z"],
    ["#AnzacDay", "2023-04-25T09:00:00Z"],
    ["#anzacday lest we forget", "2023-04-26T01:00:00Z"],
    ["#Leafs", "2023-05-01T00:00:00Z"],
  ]);

  it("counts tweets once per key, with distinct days, first/last seen and the commonest casing", () => {
    expect(counter.top({ k: 1 })).toEqual([
      {
        key: "anzacday",
        display: "AnzacDay",
        count: 3,
        days: 2,
        first_seen: "2023-04-25T01:00:00.000Z",
        last_seen: "2023-04-26T01:00:00.000Z",
      },
    ]);
  });

  it("applies the minimum count and the blocklist", () => {
    expect(counter.top({ minCount: 2 }).map((e) => e.key)).toEqual(["anzacday"]);
    expect(counter.top({ blocklist: new Set(["anzacday"]) }).map((e) => e.key)).toEqual(["leafs"]);
  });

  it("reads a blocklist with or without #", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "blocklist-")), "block.txt");
    writeFileSync(path, "# spam tags\n#FollowBack\nF4F\n\n");
    expect([...(await readBlocklist(path))]).toEqual(["followback", "f4f"]);
  });
});
