import { describe, expect, it } from "vitest";
import type { Example } from "../../src/data/examples.js";
import { evaluate } from "../../src/eval/harness.js";
import type { Query, Ranker } from "../../src/eval/ranker.js";
import { example } from "./helpers.js";

/** Suggests the hashtags it has ingested, most recent first; records what it saw. */
class EchoRanker implements Ranker {
  readonly name = "echo";
  readonly seen: string[] = [];
  readonly log: string[] = [];
  constructor(private known: string[]) {}
  rank(queries: readonly Query[], k: number): string[][] {
    return queries.map((q) => {
      this.log.push(`rank ${q.text}`);
      return this.known.slice(0, k);
    });
  }
  isCandidate(key: string): boolean {
    return this.known.includes(key);
  }
  ingest(examples: readonly Example[]): void {
    for (const e of examples) {
      this.log.push(`ingest ${e.query}`);
      this.known = [...e.keys, ...this.known.filter((k) => !e.keys.includes(k))];
    }
  }
}

const test = [
  example("second #b", "2023-05-11T02:00:00Z"),
  example("first #a", "2023-05-11T01:00:00Z"),
  example("no hashtag here", "2023-05-11T03:00:00Z"),
  example("#c https://t.co/x", "2023-05-11T04:00:00Z"),
  example("third #a", "2023-05-11T05:00:00Z"),
];

describe("evaluate", () => {
  it("static: scores tweets with hashtags and a query, skips empty queries", async () => {
    const metrics = await evaluate(new EchoRanker(["a"]), test);
    expect(metrics).toMatchObject({ n: 3, skipped: 1, hit1: 2 / 3, coverage: 2 / 3 });
  });

  it("online: predicts in time order, each tweet before it is ingested", async () => {
    const ranker = new EchoRanker([]);
    const metrics = await evaluate(ranker, test, { online: true });
    expect(ranker.log).toEqual([
      "rank first",
      "ingest first",
      "rank second",
      "ingest second",
      "ingest no hashtag here",
      "ingest ",
      "rank third",
      "ingest third",
    ]);
    // first: nothing known (miss); second: knows a (miss); third: knows c, b, a → a at rank 3
    expect(metrics).toMatchObject({ n: 3, skipped: 1, hit1: 0, hit5: 1 / 3, mrr10: 1 / 3 / 3, coverage: 1 / 3 });
  });
});
