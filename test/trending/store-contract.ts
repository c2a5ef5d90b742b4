import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HashtagRecError } from "../../src/core/errors.js";
import { HOUR_MS, decayedCount } from "../../src/trending/decay.js";
import type { IngestTweet, TrendingStore } from "../../src/trending/store.js";

const T0 = Date.parse("2023-05-01T00:00:00Z");
const use = (display: string) => ({ key: display.toLowerCase(), display });
const tweet = (id: string | undefined, hoursAfterT0: number, ...tags: string[]): IngestTweet => ({
  ...(id === undefined ? {} : { id }),
  time: T0 + hoursAfterT0 * HOUR_MS,
  hashtags: tags.map(use),
});

/**
 * The behaviour every trending store must have, run against each backend.
 * `open` makes an empty store with a 1-hour half-life.
 */
export function describeTrendingStore(name: string, open: () => Promise<TrendingStore>): void {
  describe(`${name} trending store`, () => {
    let store: TrendingStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it("ranks by decayed count: recent uses beat older, more numerous ones", async () => {
      await store.ingest([tweet("1", 0, "Old"), tweet("2", 0, "Old"), tweet("3", 0, "Old"), tweet("4", 3, "New")]);
      expect((await store.top(2)).map((e) => e.key)).toEqual(["new", "old"]);
      const entries = await store.lookup(["old", "new", "missing"]);
      expect(entries.get("old")!.count).toBe(3);
      expect(entries.has("missing")).toBe(false);
      // Three uses 3 h before "now" count 3/8; one use now counts 1.
      const now = T0 + 3 * HOUR_MS;
      expect(decayedCount(entries.get("old")!.logWeight, now, HOUR_MS)).toBeCloseTo(3 / 8, 9);
      expect(decayedCount(entries.get("new")!.logWeight, now, HOUR_MS)).toBeCloseTo(1, 9);
      expect(2 ** (entries.get("new")!.logWeight - (await store.totalLogWeight()))).toBeCloseTo(1 / (1 + 3 / 8), 9);
    });

    it("keeps the commonest display casing, first and last seen", async () => {
      await store.ingest([tweet("1", 1, "AnzacDay"), tweet("2", 2, "anzacday"), tweet("3", 0, "anzacday")]);
      const [entry] = await store.top(1);
      expect(entry).toMatchObject({ key: "anzacday", display: "anzacday", count: 3, firstSeen: T0, lastSeen: T0 + 2 * HOUR_MS });
    });

    it("counts a hashtag once per tweet", async () => {
      await store.ingest([tweet("1", 0, "Tag", "TAG", "tag")]);
      expect((await store.lookup(["tag"])).get("tag")!.count).toBe(1);
    });

    it("completes by prefix, trending first", async () => {
      await store.ingest([tweet("1", 0, "mayday"), tweet("2", 1, "mastodon"), tweet("3", 1, "mastodon"), tweet("4", 2, "other")]);
      expect((await store.withPrefix("ma", 10)).map((e) => e.key)).toEqual(["mastodon", "mayday"]);
      expect(await store.withPrefix("zz", 10)).toEqual([]);
      expect((await store.withPrefix("ma", 1)).map((e) => e.key)).toEqual(["mastodon"]);
    });

    it("orders hashtags of equal weight by key", async () => {
      await store.ingest([tweet("1", 0, "zz"), tweet("2", 1, "ac", "ab", "b", "aa")]);
      expect((await store.top(3)).map((e) => e.key)).toEqual(["aa", "ab", "ac"]);
      expect((await store.withPrefix("a", 2)).map((e) => e.key)).toEqual(["aa", "ab"]);
    });

    it("completes a prefix thousands of keys share with its most trending key", async () => {
      const cold = Array.from({ length: 2_500 }, (_, i) => tweet(`c${i}`, 0, `a${String(i).padStart(4, "0")}`));
      for (let i = 0; i < cold.length; i += 500) await store.ingest(cold.slice(i, i + 500));
      // "azz" comes after every cold key in lex order.
      await store.ingest([tweet("h1", 2, "azz"), tweet("h2", 2, "azz"), tweet("h3", 1, "b"), tweet("h4", 1, "a2499")]);
      expect((await store.withPrefix("a", 3)).map((e) => e.key)).toEqual(["azz", "a2499", "a0000"]);
      expect((await store.withPrefix("a1", 2)).map((e) => e.key)).toEqual(["a1000", "a1001"]);
    });

    it("gives hourly series ending at now", async () => {
      await store.ingest([tweet("1", 0.5, "a"), tweet("2", 2.1, "a"), tweet("3", 2.9, "a")]);
      const series = await store.series(["a", "b"], T0 + 2.5 * HOUR_MS, 4);
      expect(series.get("a")).toEqual([0, 1, 0, 2]);
      expect(series.get("b")).toEqual([0, 0, 0, 0]);
      expect(await store.latestTime()).toBe(T0 + 2.9 * HOUR_MS);
    });

    it("rejects a repeated id and applies nothing of that batch", async () => {
      await store.ingest([tweet("1", 0, "a")]);
      const error = await store.ingest([tweet("2", 1, "b"), tweet("1", 1, "a")]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HashtagRecError);
      expect((error as HashtagRecError).code).toBe("DUPLICATE_TWEET");
      expect((await store.lookup(["a", "b"])).get("a")!.count).toBe(1);
      expect((await store.lookup(["b"])).has("b")).toBe(false);
      await expect(store.ingest([tweet("3", 1, "c"), tweet("3", 1, "c")])).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      expect((await store.lookup(["c"])).has("c")).toBe(false);
    });

    it("skips seen ids when asked, and counts them", async () => {
      await store.ingest([tweet("1", 0, "a")]);
      const result = await store.ingest([tweet("1", 1, "a"), tweet("2", 1, "a", "b")], { skipDuplicates: true });
      expect(result).toEqual({ tweets: 1, hashtagUses: 2, duplicates: 1 });
      const entries = await store.lookup(["a", "b"]);
      expect([entries.get("a")!.count, entries.get("b")!.count]).toEqual([2, 1]);
    });

    it("keeps recent tweet texts with hashtags, read on from a cursor", async () => {
      expect((await store.recentTweets(undefined, 10)).tweets).toEqual([]);
      await store.ingest([
        { id: "1", time: T0, hashtags: [use("A")], query: "first text" },
        { id: "2", time: T0 + 1, hashtags: [], query: "no hashtags: not kept" },
        { id: "3", time: T0 + 2, hashtags: [use("B"), use("C")], query: "second text" },
        { id: "4", time: T0 + 3, hashtags: [use("D")] },
      ]);
      const page = await store.recentTweets(undefined, 1);
      expect(page.tweets).toEqual([{ time: T0, query: "first text", keys: ["a"] }]);
      const rest = await store.recentTweets(page.cursor, 10);
      expect(rest.tweets).toEqual([{ time: T0 + 2, query: "second text", keys: ["b", "c"] }]);
      expect((await store.recentTweets(rest.cursor, 10)).tweets).toEqual([]);
      await store.ingest([{ time: T0 + 5, hashtags: [use("E")], query: "third" }]);
      expect((await store.recentTweets(rest.cursor, 10)).tweets.map((t) => t.query)).toEqual(["third"]);
    });

    it("ingests tweets without ids every time, and empty stores answer", async () => {
      expect(await store.top(5)).toEqual([]);
      expect(await store.totalLogWeight()).toBe(-Infinity);
      expect(await store.latestTime()).toBeUndefined();
      await store.ingest([tweet(undefined, 0, "a")]);
      await store.ingest([tweet(undefined, 0, "a")]);
      expect((await store.lookup(["a"])).get("a")!.count).toBe(2);
      await store.ping();
    });

    it("shares small named values, written only over the version read", async () => {
      expect(await store.readShared("blend")).toBeUndefined();
      expect(await store.writeShared("blend", "a", 1)).toBe(false);
      expect(await store.readShared("blend")).toBeUndefined();
      expect(await store.writeShared("blend", "a", 0)).toBe(true);
      expect(await store.writeShared("blend", "b", 0)).toBe(false);
      expect(await store.readShared("blend")).toEqual({ version: 1, value: "a" });
      const value = JSON.stringify({ weights: [0.1, -2e-17, 1 / 3], note: "é #tag" });
      expect(await store.writeShared("blend", value, 1)).toBe(true);
      expect(await store.writeShared("blend", "stale", 1)).toBe(false);
      expect(await store.readShared("blend")).toEqual({ version: 2, value });
      expect(await store.readShared("other")).toBeUndefined();
    });

    it("loses no change when writers read, change and write at once", async () => {
      const increment = async () => {
        for (let attempt = 0; attempt < 100; attempt++) {
          const shared = await store.readShared("counter");
          if (await store.writeShared("counter", String(Number(shared?.value ?? 0) + 1), shared?.version ?? 0)) return;
        }
        throw new Error("no write went through in 100 tries");
      };
      await Promise.all(Array.from({ length: 12 }, increment));
      expect(await store.readShared("counter")).toEqual({ version: 12, value: "12" });
    });
  });
}
