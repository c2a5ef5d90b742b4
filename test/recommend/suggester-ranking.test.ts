import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_BLEND, logit } from "../../src/recommend/blend.js";
import type { Suggester } from "../../src/recommend/suggester.js";
import { productSuggester } from "../server/helpers.js";

const T0 = Date.UTC(2023, 4, 11, 10, 0, 0);
const DRAFT = "what a finish to the game tonight";

/** Hashtags the model has never seen, used together once: their signals, and so their logits, tie exactly. */
const TWINS = ["zzqtwina", "zzqtwinb", "zzqtwinc", "zzqtwind"];

describe("the product's ranking against all of a draft's candidates", () => {
  let suggester: Suggester;
  beforeAll(async () => {
    suggester = await productSuggester({ clock: "data", batching: false });
    await suggester.ingest([
      { id: "1", text: "what a game tonight #Leafs #GoLeafsGo", time: T0 },
      { id: "2", text: "finish strong #MondayMotivation", time: T0 + 60_000 },
      { id: "3", text: `four of a kind ${TWINS.map((t) => `#${t}`).join(" ")}`, time: T0 + 120_000 },
    ]);
  });
  afterAll(() => suggester.close());

  /** Every candidate with its logit, best first, ties by key: the order the product promises. */
  async function fullSort() {
    const candidates = await suggester.candidateSignals(DRAFT, T0 + 120_000);
    return candidates.map((c) => ({ key: c.key, logit: logit(c, DEFAULT_BLEND) })).sort((a, b) => b.logit - a.logit || (a.key < b.key ? -1 : 1));
  }

  it("orders like a full sort by logit, exact ties by key", async () => {
    const sorted = await fullSort();
    const twins = sorted.filter((c) => TWINS.includes(c.key));
    expect(new Set(twins.map((c) => c.logit)).size).toBe(1); // the tie this test needs
    for (const k of [1, 3, 50, sorted.length + 5]) {
      expect(await suggester.rankCleanQuery(DRAFT, k, T0 + 120_000)).toEqual(sorted.slice(0, k).map((c) => c.key));
    }
    expect(await suggester.rankCleanQuery(DRAFT, 0, T0 + 120_000)).toEqual([]);
  });

  it("scores each suggestion by its softmax over all candidates, not only the k shown", async () => {
    const sorted = await fullSort();
    const max = sorted[0]!.logit;
    const sum = sorted.reduce((total, c) => total + Math.exp(c.logit - max), 0);
    const { suggestions } = await suggester.suggest({ text: DRAFT, k: 2, explain: true });
    expect(suggestions.map((s) => s.key)).toEqual(sorted.slice(0, 2).map((c) => c.key));
    for (const [i, s] of suggestions.entries()) {
      expect(s.explain!.logit).toBe(sorted[i]!.logit);
      expect(s.score).toBeCloseTo(Math.exp(sorted[i]!.logit - max) / sum, 12);
    }
  });
});

describe("what a suggestion shows after an ingest", () => {
  it("counts the newest use at once, and a caller's changes to a sparkline do not leak", async () => {
    const suggester = await productSuggester({ clock: "data", batching: false, trendMaxAgeMs: 60_000 });
    await suggester.ingest([{ id: "1", text: "dawn service #AnzacDay", time: T0 }]);
    const ask = async () => (await suggester.suggest({ text: "lest we forget the dawn service", k: 10 })).suggestions.find((s) => s.key === "anzacday")!;
    const first = await ask();
    expect(first.count).toBe(1);
    first.trend.series.fill(99);
    await suggester.ingest([{ id: "2", text: "at the dawn service #AnzacDay", time: T0 + 1000 }]);
    const second = await ask();
    expect(second.count).toBe(2);
    expect(second.trend.series.at(-1)).toBe(2);
    expect(second.trend.series.slice(0, -1).every((n) => n === 0)).toBe(true);
    second.trend.series.fill(99);
    expect((await ask()).trend.series.at(-1)).toBe(2);
    await suggester.close();
  });
});
