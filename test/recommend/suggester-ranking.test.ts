import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HashtagRecError } from "../../src/core/errors.js";
import { COMPLETION_WITHOUT_WORDS, DEFAULT_BLEND, FULL_WEIGHT_COVERAGE, logit, weightsAtCoverage, type BlendWeights } from "../../src/recommend/blend.js";
import type { Suggester } from "../../src/recommend/suggester.js";
import { SqliteTrendingStore } from "../../src/trending/sqlite-store.js";
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
    const { candidates, modelCoverage } = await suggester.candidateSignals(DRAFT, T0 + 120_000);
    const weights = weightsAtCoverage(suggester.weights, modelCoverage);
    return candidates.map((c) => ({ key: c.key, logit: logit(c, weights) })).sort((a, b) => b.logit - a.logit || (a.key < b.key ? -1 : 1));
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

  it("still orders like a full sort after more tweets come in, and after another draft (the features it caches follow both)", async () => {
    await suggester.ingest([
      { id: "4", text: "what a game #Leafs", time: T0 + 180_000 },
      { id: "5", text: "what a finish #MondayMotivation #zzqtwina", time: T0 + 240_000 },
      { id: "6", text: "fresh snow on mountain peaks #Nature", time: T0 + 240_000 },
    ]);
    const sorted = await fullSort();
    // Another draft, with other look-alikes, ranked first: nothing of its votes stays behind.
    expect(await suggester.rankCleanQuery("fresh snow on mountain peaks", 1, T0 + 240_000)).toEqual(["nature"]);
    expect(await suggester.rankCleanQuery(DRAFT, 20, T0 + 240_000)).toEqual(sorted.slice(0, 20).map((c) => c.key));
  });
});

describe("prefix completion's scores", () => {
  it("agree with the signals explain shows, for trending hashtags and for store entries beyond the snapshot", async () => {
    // One trending hashtag kept in memory: the other `ma…` hashtags are read from the store by prefix.
    const suggester = await productSuggester({ clock: "data", batching: false, trendCandidates: 1 });
    await suggester.ingest([
      { id: "1", text: "so tired #Monday #Mazzqone", time: T0 },
      { id: "2", text: "again #Mazzqone #Mazzqtwo #Music", time: T0 + 60_000 },
      { id: "3", text: "and again #Mazzqone #Marvel", time: T0 + 120_000 },
    ]);
    const suggestions = await suggester.complete("ma", { k: 8, text: "what a week", explain: true });
    const keys = suggestions.map((s) => s.key);
    expect(keys).toEqual(expect.arrayContaining(["mazzqone", "mazzqtwo"]));
    expect(suggestions.find((s) => s.key === "mazzqtwo")!.explain!.uses).toBe(1); // read from the store, not the snapshot
    const [first] = suggestions;
    for (const s of suggestions) {
      expect(s.explain!.logit).toBe(logit(s.explain!, weightsAtCoverage(suggester.weights, s.explain!.model_coverage)));
      // Scores are a softmax of the ranking's logits: their ratios show those logits are explain's.
      expect(Math.log(s.score / first!.score)).toBeCloseTo(s.explain!.logit - first!.explain!.logit, 9);
    }
    await suggester.close();
  });

  it("ranks by trending uses alone when the draft has no words: a burst of older uses does not outrank the newest, and days-old uses keep their order", async () => {
    // One trending hashtag in memory: the others' uses are read from the store by prefix.
    const suggester = await productSuggester({ clock: "data", batching: false, trendCandidates: 1 });
    const HOUR = 3_600_000;
    const old = Array.from({ length: 5 }, (_, i) => ({ id: `old${i}`, text: `long ago #Mazzqold`, time: T0 + i * 1000 }));
    // Days old (half-life 1 h): both shares are under the trend's floor, so their logits tie; their uses' ages still tell them apart.
    const days = [
      { id: "alpha", text: "days ago #Mazzqalpha", time: T0 - 100 * HOUR },
      { id: "zeta", text: "fewer days ago #Mazzqzeta", time: T0 - 90 * HOUR },
    ];
    await suggester.ingest([...days, ...old, { id: "new", text: "just now #Mazzqnew", time: T0 + 3 * HOUR }]);
    // The blend for drafts weighs the five uses among the last 50 tweets (burst) above one use 3 h newer.
    const withWords = await suggester.complete("mazzq", { k: 2, text: "what a week", explain: true });
    expect(withWords.map((s) => s.key)).toEqual(["mazzqold", "mazzqnew"]);
    expect(withWords[0]!.explain!.weights).toEqual(weightsAtCoverage(suggester.weights, withWords[0]!.explain!.model_coverage));
    for (const ranked of [await suggester.complete("mazzq", { k: 4, explain: true }), (await suggester.suggest({ text: "#mazzq", k: 4, explain: true })).suggestions]) {
      expect(ranked.map((s) => s.key)).toEqual(["mazzqnew", "mazzqold", "mazzqzeta", "mazzqalpha"]);
      expect(ranked[2]!.explain!.logit).toBe(ranked[3]!.explain!.logit);
      for (const s of ranked) {
        expect(s.explain!.weights).toEqual(COMPLETION_WITHOUT_WORDS);
        expect(s.explain!.logit).toBe(logit(s.explain!, COMPLETION_WITHOUT_WORDS));
      }
      const [first] = ranked;
      expect(Math.log(ranked[1]!.score / first!.score)).toBeCloseTo(ranked[1]!.explain!.logit - first!.explain!.logit, 9);
    }
    // Scores are the softmax over all the candidates, not over the k shown.
    const all = await suggester.complete("mazzq", { k: 4, explain: true });
    const max = Math.max(...all.map((s) => s.explain!.logit));
    const sum = all.reduce((total, s) => total + Math.exp(s.explain!.logit - max), 0);
    const two = await suggester.complete("mazzq", { k: 2 });
    two.forEach((s, i) => expect(s.score).toBeCloseTo(Math.exp(all[i]!.explain!.logit - max) / sum, 12));
    // Hashtags nobody has used follow those used, by the model's probability.
    const unused = await suggester.complete("anza", { k: 6, explain: true });
    expect(unused.length).toBeGreaterThan(2);
    const probabilities = unused.map((s) => s.explain!.model);
    expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a));
    expect(new Set(probabilities).size).toBeGreaterThan(1);
    // A draft with a hashtag in it has context for the model, and a blend without the trend keeps its order: the blend ranks.
    expect((await suggester.suggest({ text: "#AnzacDay #mazzq", k: 2, explain: true })).suggestions[0]!.explain!.weights).not.toEqual(COMPLETION_WITHOUT_WORDS);
    const modelAlone = await productSuggester({ clock: "data", batching: false, weights: { ...COMPLETION_WITHOUT_WORDS, trend: 0, model: 1 } });
    const alone = await modelAlone.complete("anza", { k: 3, explain: true });
    expect(alone[0]!.explain!.weights).toMatchObject({ model: 1, trend: 0 });
    await modelAlone.close();
    await suggester.close();
  });
});

describe("hashtags already in the draft", () => {
  /** #ZzqRival is the most used after "what a game"; half of the #ZzqTeam tweets also use #ZzqTeamForever. */
  async function suggesterAfterGames(weights: BlendWeights = DEFAULT_BLEND): Promise<Suggester> {
    const suggester = await productSuggester({ clock: "data", batching: false, weights, blendLearningRate: 0 });
    const tweets = [
      ...Array.from({ length: 4 }, () => "what a game #ZzqTeam #ZzqTeamForever"),
      ...Array.from({ length: 4 }, () => "what a game #ZzqTeam"),
      ...Array.from({ length: 12 }, () => "what a game #ZzqRival"),
    ];
    await suggester.ingest(tweets.map((text, i) => ({ id: `g${i}`, text, time: T0 + i * 1000 })));
    return suggester;
  }

  it("puts the hashtags used with them first, and explain shows their share", async () => {
    const suggester = await suggesterAfterGames();
    const plain = (await suggester.suggest({ text: "what a game", k: 3, explain: true })).suggestions;
    expect(plain[0]!.key).toBe("zzqrival");
    for (const s of plain) expect(s.explain!.cooccurrence).toBe(0);
    const typed = (await suggester.suggest({ text: "what a game #ZzqTeam ", k: 3, explain: true })).suggestions;
    expect(typed[0]!.key).toBe("zzqteamforever");
    expect(typed[0]!.explain!.cooccurrence).toBeCloseTo(0.5, 2);
    expect(typed[0]!.explain!.contributions.cooccurrence).toBeCloseTo(DEFAULT_BLEND.cooccurrence * Math.log1p(typed[0]!.explain!.cooccurrence / 0.001), 12);
    expect(typed.map((s) => s.key)).not.toContain("zzqteam");
    // Completing a second hashtag after the first.
    const completed = (await suggester.suggest({ text: "what a game #ZzqTeam #zzq", k: 3 })).suggestions;
    expect(completed[0]!.key).toBe("zzqteamforever");
    await suggester.close();
  });

  it("completes to a hashtag used with the draft's when nothing else would name it, and leaves the draft's own out of the candidates", async () => {
    const suggester = await suggesterAfterGames();
    // Sixty hashtags with the prefix, each used more than #ZzqTeamForever and later: the store's 50 best for "zzq" leave it out.
    const fillers = Array.from({ length: 60 }, (_, i) => Array.from({ length: 5 }, (_, n) => ({ id: `f${i}-${n}`, text: `filler ${i} #ZzqFill${i}`, time: T0 + 60_000 + i * 100 + n })));
    await suggester.ingest(fillers.flat());
    const completed = (await suggester.suggest({ text: "so proud #ZzqTeam #zzq", k: 3, explain: true })).suggestions;
    expect(completed[0]!.key).toBe("zzqteamforever");
    expect(completed[0]!.explain!.neighbours).toBe(0); // not found by look-alike tweets
    const { candidates } = await suggester.candidateSignals("so proud", T0 + 60_000, ["ZzqTeam"]);
    expect(candidates.map((c) => c.key)).not.toContain("zzqteam");
    expect(candidates.find((c) => c.key === "zzqteamforever")!.cooccurrence).toBeCloseTo(0.5, 2);
    await suggester.close();
  });

  it("ranks as before with the cooccurrence weight at 0", async () => {
    const suggester = await suggesterAfterGames({ ...DEFAULT_BLEND, cooccurrence: 0 });
    expect((await suggester.suggest({ text: "what a game #ZzqTeam ", k: 3 })).suggestions[0]!.key).toBe("zzqrival");
    expect((await suggester.suggest({ text: "what a game #ZzqTeam #zzq", k: 3 })).suggestions[0]!.key).toBe("zzqrival");
    await suggester.close();
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

describe("closing the suggester", () => {
  it("lets the calls under way finish, model runs and store reads included, and refuses new ones", async () => {
    const suggester = await productSuggester({ clock: "data" });
    await suggester.ingest([{ id: "1", text: "dawn service #AnzacDay", time: T0 }]);
    // Queued in the batcher, not yet run, when close() is called.
    const calls = [
      ...Array.from({ length: 20 }, (_, i) => suggester.suggest({ text: `lest we forget the dawn service ${i}` })),
      suggester.suggest({ text: "lest we forget #anz" }), // completes a prefix
      suggester.complete("anz", { text: "lest we forget" }),
      suggester.ingest([{ id: "2", text: "at the dawn service #AnzacDay", time: T0 + 1000 }]),
    ];
    const closed = suggester.close();
    await expect(suggester.suggest({ text: "too late" })).rejects.toMatchObject({ code: "SHUTTING_DOWN", status: 503 });
    const results = await Promise.allSettled(calls);
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    await closed;
    await expect(suggester.close()).resolves.toBeUndefined(); // again: the same close, not a second release
    await expect(suggester.suggest({ text: "later still" })).rejects.toThrow(/closed/);
  });

  it("waits for a draft queued for the model even when the call's store read has already failed", async () => {
    const store = SqliteTrendingStore.open(":memory:", { halfLifeHours: 1 });
    store.top = () => Promise.reject(new Error("SQLITE_BUSY: database is locked"));
    // A window keeps the draft queued after the store read has failed.
    const suggester = await productSuggester({ batching: { windowMs: 50 } }, store);
    const scored: string[] = [];
    const score = suggester.recommender.score.bind(suggester.recommender);
    suggester.recommender.score = (drafts) => score(drafts).then(
      (result) => (scored.push("ok"), result),
      (error: Error) => (scored.push(error.message), Promise.reject(error)),
    );
    const call = suggester.suggest({ text: "lest we forget" });
    const closed = suggester.close();
    await expect(call).rejects.toThrow(/SQLITE_BUSY/);
    await closed;
    expect(scored).toEqual(["ok"]); // the model ran before it was released
  });
});

describe("a stream whose hashtags the model does not know", () => {
  const DAWN = "Lest we forget. Dawn service at the memorial"; // the model's pick: #AnzacDay, p ≈ 0.67
  // Weights under which the model's pick outranks one use of a new hashtag while its weight is whole.
  const weights = { model: 0.6, trend: 0.2, neighbours: 1, burst: 0.5, uses: 0, centroid: 0, classifier: 0, cooccurrence: 0 };

  async function suggestAfter(texts: string[], options: { fullWeightCoverage?: number; weights?: BlendWeights } = {}) {
    const suggester = await productSuggester({ clock: "data", batching: false, ...options });
    await suggester.ingest(texts.map((text, i) => ({ id: String(i), text, time: T0 })));
    const { suggestions } = await suggester.suggest({ text: DAWN, k: 3, explain: true });
    await suggester.close();
    return suggestions;
  }

  it("puts the hashtag in use before the model's confident pick when the model knows none in use, and the pick first when its weight is kept whole", async () => {
    const [scaled] = await suggestAfter(["new bakery on main street #Zzqfresh"], { weights });
    expect(scaled!.key).toBe("zzqfresh");
    expect(scaled!.explain!.model_coverage).toBe(0);
    expect(Math.abs(scaled!.explain!.contributions.model)).toBe(0);
    const [whole] = await suggestAfter(["new bakery on main street #Zzqfresh"], { weights, fullWeightCoverage: 0 });
    expect(whole!.key).toBe("anzacday");
  });

  it("scales the model's weight by its coverage below FULL_WEIGHT_COVERAGE, and explain shows it", async () => {
    // One use in four is of a hashtag the model knows, all at the same time: coverage 0.25.
    const suggestions = await suggestAfter(["bread #Zzqone", "cake #Zzqtwo", "pie #Zzqthree", "what a game #Leafs"]);
    expect(suggestions.length).toBe(3);
    for (const { explain } of suggestions) {
      expect(explain!.model_coverage).toBeCloseTo(0.25, 12);
      expect(explain!.weights).toEqual({ ...DEFAULT_BLEND, model: DEFAULT_BLEND.model * (explain!.model_coverage / FULL_WEIGHT_COVERAGE) });
      expect(explain!.contributions.model).toBeCloseTo(DEFAULT_BLEND.model * (0.25 / FULL_WEIGHT_COVERAGE) * Math.log(explain!.model + 1e-5), 12);
    }
  });

  it("leaves blocked hashtags out of the coverage, though they are in the store", async () => {
    // Ingested before the blocklist was given (or by another server of a shared Redis).
    const store = SqliteTrendingStore.open(":memory:", { halfLifeHours: 1 });
    await store.ingest(["zzqspam", "zzqspam2", "zzqspam3", "leafs"].map((key) => ({ time: T0, hashtags: [{ key, display: key }] })));
    const suggester = await productSuggester({ clock: "data", batching: false, blocklist: new Set(["zzqspam", "zzqspam2", "zzqspam3"]), weights }, store);
    const { suggestions } = await suggester.suggest({ text: DAWN, k: 3, explain: true });
    await suggester.close();
    expect(suggestions[0]!.explain!.model_coverage).toBe(1);
    expect(suggestions[0]!.key).toBe("anzacday");
  });

  it("rejects a full-weight coverage outside 0 to 1", async () => {
    await expect(productSuggester({ fullWeightCoverage: 1.5 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});

describe("the blend learning from the tweets ingested", () => {
  /** After models/default's training data, so that its tweets teach. */
  const T1 = Date.UTC(2024, 0, 10, 12, 0, 0);
  const MINUTE = 60_000;
  const game = (id: number, time: number) => ({ id: String(id), text: `what a game tonight, what a finish #Zzqgame${id % 2 === 0 ? " #Leafs" : ""}`, time });

  it("learns from a tweet only with the store as it stood before it: a hashtag it is the first to use teaches nothing", async () => {
    const suggester = await productSuggester({ clock: "data", batching: false });
    await suggester.ingest([game(1, T1)]);
    expect(suggester.blendLessons).toBe(0); // #Zzqgame was no candidate before this tweet
    expect(suggester.weights).toEqual(DEFAULT_BLEND);
    await suggester.ingest([game(2, T1 + MINUTE)]);
    expect(suggester.blendLessons).toBe(1); // now it was: trending, and in a look-alike tweet
    expect(suggester.weights).not.toEqual(DEFAULT_BLEND);
    // A batch the store refuses (a tweet it has) teaches nothing.
    const learned = suggester.weights;
    await expect(suggester.ingest([game(3, T1 + 2 * MINUTE), game(2, T1 + 2 * MINUTE)])).rejects.toMatchObject({ code: "DUPLICATE_TWEET" });
    expect(suggester.blendLessons).toBe(1);
    expect(suggester.weights).toBe(learned);
    // The suggestions use the weights learned.
    const { suggestions } = await suggester.suggest({ text: "what a game", k: 1, explain: true });
    expect(suggestions[0]!.explain!.weights.neighbours).toBe(suggester.weights.neighbours);
    await suggester.close();
  });

  it("learns from a batch's earliest tweets within 5 minutes of the first, at most 32, and not from tweets older than the newest ingested", async () => {
    const suggester = await productSuggester({ clock: "data", batching: false });
    await suggester.ingest([game(1, T1)]);
    // 60 tweets a minute apart, in no order: the first 6 minutes' teach (0 to 5 minutes after the first).
    const batch = Array.from({ length: 60 }, (_, i) => game(100 + i, T1 + (i + 1) * MINUTE)).reverse();
    await suggester.ingest(batch);
    expect(suggester.blendLessons).toBe(6);
    const dense = Array.from({ length: 60 }, (_, i) => game(200 + i, T1 + 61 * MINUTE + i * 1000));
    await suggester.ingest(dense);
    expect(suggester.blendLessons).toBe(6 + 32);
    await suggester.ingest([game(300, T1 + 30 * MINUTE)]); // older than the newest ingested
    expect(suggester.blendLessons).toBe(38);
    await suggester.close();
  });

  it("does not learn from tweets the model trained on, nor with a learning rate of 0", async () => {
    const T0 = Date.UTC(2023, 4, 11, 10, 0, 0); // before the end of models/default's training data
    const before = await productSuggester({ clock: "data", batching: false });
    await before.ingest([game(1, T0)]);
    await before.ingest([game(2, T0 + MINUTE), game(3, T0 + 2 * MINUTE)]);
    expect(before.blendLessons).toBe(0);
    await before.close();
    const fixed = await productSuggester({ clock: "data", batching: false, blendLearningRate: 0 });
    await fixed.ingest([game(1, T1)]);
    await fixed.ingest([game(2, T1 + MINUTE)]);
    expect(fixed.blendLessons).toBe(0);
    expect(fixed.weights).toEqual(DEFAULT_BLEND);
    await fixed.close();
  });

  it("teaches with the evidence of the query just ranked when that tweet comes next (eval --online), as a second look would, without a second model run", async () => {
    const first = await productSuggester({ clock: "data", batching: false });
    const second = await productSuggester({ clock: "data", batching: false });
    for (const suggester of [first, second]) await suggester.ingestUses([{ time: T1, hashtags: [{ key: "zzqgame", display: "Zzqgame" }], query: "what a game tonight" }]);
    const tweet = { time: T1 + MINUTE, hashtags: [{ key: "zzqgame", display: "Zzqgame" }], query: "what a game tonight" };
    const runs = vi.spyOn(first.recommender, "score");
    await first.rankCleanQuery(tweet.query, 5, tweet.time);
    await first.ingestUses([tweet]);
    expect(runs).toHaveBeenCalledTimes(1);
    await second.ingestUses([tweet]);
    expect(first.blendLessons).toBe(1);
    expect(first.weights).toEqual(second.weights);
    // After an ingest the evidence is stale: the next lesson looks again.
    await first.rankCleanQuery(tweet.query, 5, tweet.time + MINUTE);
    await first.ingestUses([{ ...tweet, time: tweet.time + 2 * MINUTE }]);
    expect(runs).toHaveBeenCalledTimes(3);
    await first.close();
    await second.close();
  });

  it("learns only once the store has taken the whole batch: a duplicate skipped teaches nothing", async () => {
    const suggester = await productSuggester({ clock: "data", batching: false });
    const tweet = (id: string, time: number) => ({ id, time, hashtags: [{ key: "zzqgame", display: "Zzqgame" }], query: "what a game tonight" });
    await suggester.ingestUses([tweet("1", T1)]);
    const result = await suggester.ingestUses([tweet("2", T1 + MINUTE), tweet("1", T1 + MINUTE)], { skipDuplicates: true });
    expect(result).toMatchObject({ tweets: 1, duplicates: 1 });
    expect(suggester.blendLessons).toBe(0);
    await suggester.ingestUses([tweet("3", T1 + 2 * MINUTE)]);
    expect(suggester.blendLessons).toBe(1);
    await suggester.close();
  });

  it("ingests the batch when a lesson fails (the model erring, the store not keeping it), learns nothing from it, and tells why unless the store is down", async () => {
    const failures: unknown[] = [];
    const suggester = await productSuggester({ clock: "data", batching: false, onLearningError: (error) => failures.push(error) });
    await suggester.ingest([game(1, T1)]);
    vi.spyOn(suggester.recommender, "score").mockRejectedValueOnce(new Error("the model broke"));
    await expect(suggester.ingest([game(2, T1 + MINUTE)])).resolves.toMatchObject({ tweets: 1 });
    expect(suggester.blendLessons).toBe(0);
    expect((await suggester.store.lookup(["zzqgame"])).get("zzqgame")).toMatchObject({ count: 2 });
    expect(failures).toEqual([new Error("the model broke")]);
    // The same when the store fails to keep what was learned: told, unless the store is down (ingests and /readyz say so).
    vi.spyOn(suggester.store, "writeShared")
      .mockRejectedValueOnce(new HashtagRecError("STORE_UNAVAILABLE", "gone"))
      .mockRejectedValueOnce(new Error("the store refused the value"));
    await expect(suggester.ingest([game(3, T1 + 2 * MINUTE)])).resolves.toMatchObject({ tweets: 1 });
    await expect(suggester.ingest([game(4, T1 + 3 * MINUTE)])).resolves.toMatchObject({ tweets: 1 });
    expect(suggester.blendLessons).toBe(0);
    expect((await suggester.store.lookup(["zzqgame"])).get("zzqgame")).toMatchObject({ count: 4 });
    expect(failures).toEqual([new Error("the model broke"), new Error("the store refused the value")]);
    // A blend read that fails is told too, once a minute however often it fails; drafts go on.
    vi.spyOn(suggester.store, "readShared").mockRejectedValue(new Error("the store returned nonsense"));
    for (let i = 0; i < 3; i++) {
      await suggester.ingest([game(10 + i, T1 + 3 * MINUTE)]);
      await expect(suggester.suggest({ text: "what a game" })).resolves.toMatchObject({ suggestions: expect.any(Array) });
    }
    expect(failures.slice(2)).toEqual([new Error("the store returned nonsense")]);
    vi.mocked(suggester.store.readShared).mockRestore();
    // What was learned reads as this process holds it while the store cannot say.
    await suggester.ingest([game(5, T1 + 4 * MINUTE)]);
    expect(suggester.blendLessons).toBe(1);
    vi.spyOn(suggester.store, "readShared").mockRejectedValueOnce(new HashtagRecError("STORE_UNAVAILABLE", "gone"));
    expect(await suggester.learnedBlend()).toEqual({ weights: suggester.weights, lessons: 1 });
    await suggester.close();
    // A reporter that throws fails nothing.
    const throwing = await productSuggester({ clock: "data", batching: false, onLearningError: () => { throw new Error("the logger broke"); } });
    await throwing.ingest([game(1, T1)]);
    vi.spyOn(throwing.recommender, "score").mockRejectedValueOnce(new Error("the model broke"));
    await expect(throwing.ingest([game(2, T1 + MINUTE)])).resolves.toMatchObject({ tweets: 1 });
    await throwing.close();
  });

  it("takes concurrent ingests one after another: a batch's lessons see the store the batch before left", async () => {
    const suggester = await productSuggester({ clock: "data", batching: false });
    await suggester.ingest([game(1, T1)]);
    // Sent together; the first is newer, so once it is in, the second's tweet is older than the newest and does not teach.
    await Promise.all([suggester.ingest([game(2, T1 + 10 * MINUTE)]), suggester.ingest([game(3, T1 + 5 * MINUTE)])]);
    expect(suggester.blendLessons).toBe(1);
    await suggester.close();
  });

  it("learns into the store: another process on it ranks with the weights learned, and so does one started later", async () => {
    const dir = mkdtempSync(join(tmpdir(), "suggester-blend-"));
    const file = join(dir, "trends.db");
    const open = () => SqliteTrendingStore.open(file, { halfLifeHours: 1 });
    const ingesting = await productSuggester({ clock: "data", batching: false }, open());
    const answering = await productSuggester({ clock: "data", batching: false, trendMaxAgeMs: 0 }, open());
    await answering.suggest({ text: "what a game" });
    await ingesting.ingest([game(1, T1)]);
    await ingesting.ingest([game(2, T1 + MINUTE)]);
    expect(ingesting.blendLessons).toBe(1);
    const { suggestions } = await answering.suggest({ text: "what a game", k: 1, explain: true });
    expect(answering.weights).toEqual(ingesting.weights);
    expect(answering.blendLessons).toBe(1);
    expect(suggestions[0]!.explain!.weights.neighbours).toBe(ingesting.weights.neighbours);
    // It learns on from there, and the first takes that up.
    await answering.ingest([game(3, T1 + 2 * MINUTE)]);
    expect(answering.blendLessons).toBe(2);
    await ingesting.suggest({ text: "what a game" });
    expect(ingesting.blendLessons).toBe(2);
    const learned = answering.weights;
    await ingesting.close();
    await answering.close();
    const restarted = await productSuggester({ clock: "data", batching: false }, open());
    try {
      expect(restarted.weights).toEqual(DEFAULT_BLEND);
      await restarted.suggest({ text: "what a game" });
      expect(restarted.weights).toEqual(learned);
    } finally {
      await restarted.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
