import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOUR_MS } from "../../src/trending/decay.js";
import { RedisTrendingStore, type RedisState } from "../../src/trending/redis-store.js";
import { SqliteTrendingStore } from "../../src/trending/sqlite-store.js";
import type { IngestTweet } from "../../src/trending/store.js";
import { freePort, startRedis, type RedisServer } from "./redis-server.js";
import { describeTrendingStore } from "./store-contract.js";

const T0 = Date.parse("2023-05-01T00:00:00Z");
const uniquePrefix = () => `hashtag-rec-test:${randomUUID()}:`;
const tweet = (id: string, hours: number, ...displays: string[]): IngestTweet => ({
  id,
  time: T0 + hours * HOUR_MS,
  hashtags: displays.map((display) => ({ key: display.toLowerCase(), display })),
});

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop("SIGTERM");
});

describeTrendingStore("Redis", () => RedisTrendingStore.open(redis.url, { halfLifeHours: 1, keyPrefix: uniquePrefix() }));

describe("Redis trending store", () => {
  it("shares its state between instances on the same Redis", async () => {
    const keyPrefix = uniquePrefix();
    const a = await RedisTrendingStore.open(redis.url, { halfLifeHours: 1, keyPrefix });
    const b = await RedisTrendingStore.open(redis.url, { halfLifeHours: 1, keyPrefix });
    await a.ingest([tweet("1", 0, "AnzacDay")]);
    expect(await b.top(5)).toMatchObject([{ key: "anzacday", display: "AnzacDay", count: 1 }]);
    await expect(b.ingest([tweet("1", 0, "AnzacDay")])).rejects.toMatchObject({ code: "DUPLICATE_TWEET", message: /ids: 1\b/ });
    await b.ingest([tweet("2", 1, "anzacday")]);
    expect((await a.lookup(["anzacday"])).get("anzacday")).toMatchObject({ count: 2 });
    expect(await a.latestTime()).toBe(T0 + HOUR_MS);
    // Shared values too: a write over a version another instance has moved past fails.
    expect(await a.writeShared("blend", "from a", 0)).toBe(true);
    expect(await b.readShared("blend")).toEqual({ version: 1, value: "from a" });
    expect(await b.writeShared("blend", "from b", 1)).toBe(true);
    expect(await a.writeShared("blend", "stale", 1)).toBe(false);
    expect(await a.readShared("blend")).toEqual({ version: 2, value: "from b" });
    await Promise.all([a.close(), b.close()]);
  });

  it("keeps its half-life and refuses another", async () => {
    const keyPrefix = uniquePrefix();
    const store = await RedisTrendingStore.open(redis.url, { halfLifeHours: 2, keyPrefix });
    await store.ingest([tweet("1", 0, "a")]);
    await store.close();
    await expect(RedisTrendingStore.open(redis.url, { halfLifeHours: 1, keyPrefix })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringMatching(/half-life of 2 h, not 1 h.*--half-life 2/),
    });
    const reopened = await RedisTrendingStore.open(redis.url, { halfLifeHours: 2, keyPrefix });
    expect((await reopened.top(1))[0]).toMatchObject({ key: "a", count: 1 });
    await reopened.close();
  });

  it("matches the SQLite store on a random batch, Unicode keys included", async () => {
    const displays = ["Über", "über", "überall", "Ü", "ünïcode", "日本", "日本語", "🎉party", "🎉", "a", "ab", "abc", "Abc", "b"];
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const pick = () => displays[Math.floor(random() * displays.length)]!;
    const tweets = Array.from({ length: 300 }, (_, i) => tweet(String(i), random() * 48, pick(), pick(), pick()));
    const sqlite = SqliteTrendingStore.open(":memory:", { halfLifeHours: 1 });
    const store = await RedisTrendingStore.open(redis.url, { halfLifeHours: 1, keyPrefix: uniquePrefix() });
    for (let i = 0; i < tweets.length; i += 100) {
      const batch = tweets.slice(i, i + 100);
      expect(await store.ingest(batch)).toEqual(await sqlite.ingest(batch));
    }
    const keys = [...new Set(displays.map((d) => d.toLowerCase()))];
    const [want, got] = [await sqlite.lookup(keys), await store.lookup(keys)];
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [key, entry] of want) {
      const { logWeight, ...rest } = got.get(key)!;
      const { logWeight: wantWeight, ...wantRest } = entry;
      expect(rest).toEqual(wantRest);
      expect(Math.abs(logWeight - wantWeight)).toBeLessThan(1e-9);
    }
    expect(Math.abs((await store.totalLogWeight()) - (await sqlite.totalLogWeight()))).toBeLessThan(1e-9);
    expect(await store.latestTime()).toBe(await sqlite.latestTime());
    for (const prefix of ["ü", "üb", "日本", "🎉", "a", "ab", "x", ""]) {
      expect((await store.withPrefix(prefix, 20)).map((e) => e.key)).toEqual((await sqlite.withPrefix(prefix, 20)).map((e) => e.key));
    }
    expect((await store.top(50)).map((e) => e.key)).toEqual((await sqlite.top(50)).map((e) => e.key));
    const now = T0 + 47.5 * HOUR_MS;
    expect(await store.series(keys, now, 24)).toEqual(await sqlite.series(keys, now, 24));
    await Promise.all([store.close(), sqlite.close()]);
  });

  it("ranks a prefix many keys share as the SQLite store does, reading the most trending first", async () => {
    const sqlite = SqliteTrendingStore.open(":memory:", { halfLifeHours: 1 });
    const store = await RedisTrendingStore.open(redis.url, { halfLifeHours: 1, keyPrefix: uniquePrefix(), prefixScan: { lex: 5, walk: 1_000 } });
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const keys = [...Array.from({ length: 40 }, (_, i) => `a${i}`), "b", "ba", "bb"];
    const tweets = Array.from({ length: 200 }, (_, i) => tweet(String(i), random() * 24, keys[Math.floor(random() * keys.length)]!));
    // Ten keys used once, in one tweet: equal weights, ordered by key.
    tweets.push(tweet("ties", 30, ...Array.from({ length: 10 }, (_, i) => `t${9 - i}`)));
    for (const batch of [tweets.slice(0, 100), tweets.slice(100)]) await Promise.all([store.ingest(batch), sqlite.ingest(batch)]);
    for (const prefix of ["a", "a1", "a3", "b", "t", "", "z"]) {
      for (const k of [1, 3, 20]) {
        expect((await store.withPrefix(prefix, k)).map((e) => e.key)).toEqual((await sqlite.withPrefix(prefix, k)).map((e) => e.key));
      }
    }
    expect((await store.withPrefix("t", 3)).map((e) => e.key)).toEqual(["t0", "t1", "t2"]);
    await Promise.all([store.close(), sqlite.close()]);
  });

  it("finds a prefix's most trending keys on later pages of its walk down the weights", async () => {
    const sqlite = SqliteTrendingStore.open(":memory:", { halfLifeHours: 1 });
    const store = await RedisTrendingStore.open(redis.url, { halfLifeHours: 1, keyPrefix: uniquePrefix(), prefixScan: { lex: 5, walk: 10_000 } });
    // Ten "a" keys, a9 the most used lately and last by lex; then 1,200 heavier "b" keys, more than two pages of the walk.
    const tweets = [
      ...Array.from({ length: 10 }, (_, i) => tweet(`a${i}`, i * 0.01, `a${i}`)),
      ...Array.from({ length: 1_200 }, (_, i) => tweet(`b${i}`, 1 + i * 0.001, `b${String(i).padStart(4, "0")}`)),
    ];
    for (let i = 0; i < tweets.length; i += 500) await Promise.all([store.ingest(tweets.slice(i, i + 500)), sqlite.ingest(tweets.slice(i, i + 500))]);
    expect((await store.withPrefix("a", 3)).map((e) => e.key)).toEqual(["a9", "a8", "a7"]);
    expect((await store.withPrefix("a", 3)).map((e) => e.key)).toEqual((await sqlite.withPrefix("a", 3)).map((e) => e.key));
    await Promise.all([store.close(), sqlite.close()]);
  });

  it("stops reading a prefix's keys by trend at its walk limit, and ranks the first keys by lex then", async () => {
    const store = await RedisTrendingStore.open(redis.url, { halfLifeHours: 1, keyPrefix: uniquePrefix(), prefixScan: { lex: 3, walk: 4 } });
    await store.ingest([tweet("1", 0, "a1", "a2", "a3"), tweet("2", 1, "a3"), tweet("3", 2, "a9"), tweet("4", 3, "b1", "b2", "b3", "b4")]);
    // The walk reads b1…b4 only; a9, the most trending "a" key, is out of reach; a1…a3 are ranked.
    expect((await store.withPrefix("a", 2)).map((e) => e.key)).toEqual(["a3", "a1"]);
    await store.close();
  });

  it("fails open with STORE_UNAVAILABLE when nothing listens", async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const error = await RedisTrendingStore.open(url, { halfLifeHours: 1, connectTimeoutMs: 500 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "STORE_UNAVAILABLE", message: expect.stringContaining(`Redis at ${url} is unavailable`) });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("fails fast while Redis is down and recovers when it is back", async () => {
    const own = await startRedis();
    const store = await RedisTrendingStore.open(own.url, { halfLifeHours: 1, keyPrefix: uniquePrefix() });
    const other = await RedisTrendingStore.open(own.url, { halfLifeHours: 1, keyPrefix: uniquePrefix() });
    const states: RedisState[] = [];
    store.onStateChange((state) => states.push(state));
    await store.ingest([tweet("1", 0, "before")]);

    await own.stop("SIGKILL");
    const started = Date.now();
    await expect(store.ping()).rejects.toMatchObject({ code: "STORE_UNAVAILABLE", message: expect.stringContaining(`Redis at ${own.url}`) });
    await expect(store.top(5)).rejects.toMatchObject({ code: "STORE_UNAVAILABLE" });
    await expect(store.ingest([tweet("2", 1, "during")])).rejects.toMatchObject({ code: "STORE_UNAVAILABLE" });
    expect(Date.now() - started).toBeLessThan(3_000);
    await other.close(); // resolves although Redis is down
    // The state event can trail the first failed command by a tick.
    for (const deadline = Date.now() + 2_000; states.length === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    expect(states).toEqual(["down"]);

    const again = await startRedis(own.port);
    try {
      const deadline = Date.now() + 5_000;
      for (;;) {
        const error = await store.ping().catch((e: unknown) => e);
        if (error === undefined) break;
        expect(error).toMatchObject({ code: "STORE_UNAVAILABLE" });
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(states).toEqual(["down", "ready"]);
      // This Redis keeps nothing across restarts, so only the new tweet is there.
      await store.ingest([tweet("3", 2, "after")]);
      expect((await store.top(5)).map((e) => e.key)).toEqual(["after"]);
      await store.close();
      expect(states).toEqual(["down", "ready"]);
    } finally {
      await again.stop();
    }
  });
});
