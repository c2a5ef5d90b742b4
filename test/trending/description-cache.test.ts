import { describe, expect, it } from "vitest";
import { DescriptionCache } from "../../src/trending/description-cache.js";
import { HOUR_MS } from "../../src/trending/decay.js";
import { SqliteTrendingStore } from "../../src/trending/sqlite-store.js";

/** An in-memory store whose reads are counted. */
async function countedStore() {
  const store = SqliteTrendingStore.open(":memory:", { halfLifeHours: 1 });
  await store.ingest([{ time: 5 * HOUR_MS, hashtags: [{ key: "anzacday", display: "AnzacDay" }] }]);
  const reads = { lookup: 0, series: 0 };
  const lookup = store.lookup.bind(store);
  const series = store.series.bind(store);
  store.lookup = (keys) => ((reads.lookup += keys.length), lookup(keys));
  store.series = (keys, now, hours) => ((reads.series += keys.length), series(keys, now, hours));
  return { store, reads };
}

describe("DescriptionCache", () => {
  it("reads each hashtag once while fresh, and only the missing ones", async () => {
    const { store, reads } = await countedStore();
    const cache = new DescriptionCache(store, { maxAgeMs: 60_000 });
    const first = await cache.describe(["anzacday", "unseen"], 5 * HOUR_MS, 3);
    expect(first.get("anzacday")).toMatchObject({ entry: { key: "anzacday", display: "AnzacDay", count: 1 }, series: [0, 0, 1] });
    expect(first.get("unseen")).toEqual({ entry: undefined, series: [0, 0, 0] });
    await cache.describe(["anzacday", "unseen", "other"], 5 * HOUR_MS + 1000, 3);
    expect(reads).toEqual({ lookup: 3, series: 3 });
  });

  it("reads again after an invalidation, a new hour, another series length or maxAgeMs", async () => {
    const { store, reads } = await countedStore();
    const cache = new DescriptionCache(store, { maxAgeMs: 60_000 });
    await cache.describe(["anzacday"], 5 * HOUR_MS, 3);
    await store.ingest([{ time: 5 * HOUR_MS + 10, hashtags: [{ key: "anzacday", display: "AnzacDay" }] }]);
    cache.invalidate();
    expect((await cache.describe(["anzacday"], 5 * HOUR_MS, 3)).get("anzacday")).toMatchObject({ entry: { count: 2 }, series: [0, 0, 2] });
    expect((await cache.describe(["anzacday"], 6 * HOUR_MS, 3)).get("anzacday")!.series).toEqual([0, 2, 0]);
    await cache.describe(["anzacday"], 6 * HOUR_MS, 4);
    expect(reads.lookup).toBe(4);

    const stale = new DescriptionCache(store, { maxAgeMs: 0 });
    await stale.describe(["anzacday"], 6 * HOUR_MS, 4);
    await new Promise((resolve) => setTimeout(resolve, 2));
    await stale.describe(["anzacday"], 6 * HOUR_MS, 4);
    expect(reads.lookup).toBe(6);
  });

  it("does not keep a read that an invalidation overtook", async () => {
    const { store } = await countedStore();
    const cache = new DescriptionCache(store, { maxAgeMs: 60_000 });
    const before = cache.describe(["anzacday"], 5 * HOUR_MS, 3);
    cache.invalidate();
    await store.ingest([{ time: 5 * HOUR_MS + 10, hashtags: [{ key: "anzacday", display: "AnzacDay" }] }]);
    await before;
    expect((await cache.describe(["anzacday"], 5 * HOUR_MS, 3)).get("anzacday")!.entry!.count).toBe(2);
  });
});

describe("DescriptionCache's size", () => {
  it("holds at most 10,000 descriptions", async () => {
    const { store } = await countedStore();
    const cache = new DescriptionCache(store, { maxAgeMs: 60_000 });
    for (let start = 0; start < 25_000; start += 1000) {
      await cache.describe(Array.from({ length: 1000 }, (_, i) => `key${start + i}`), 5 * HOUR_MS, 3);
      expect(cache.size).toBeLessThanOrEqual(10_000);
    }
    expect(cache.size).toBeGreaterThan(5000);
  });
});

describe("DescriptionCache while the store is down", () => {
  it("still holds what it read (describe fails, held answers from memory)", async () => {
    const { store } = await countedStore();
    const cache = new DescriptionCache(store, { maxAgeMs: 60_000 });
    await cache.describe(["anzacday"], 5 * HOUR_MS, 3);
    store.lookup = () => Promise.reject(new Error("down"));
    await expect(cache.describe(["anzacday", "other"], 5 * HOUR_MS, 3)).rejects.toThrow("down");
    const held = cache.held(["anzacday", "other"], 5 * HOUR_MS, 3);
    expect([...held.keys()]).toEqual(["anzacday"]);
    expect(held.get("anzacday")!.entry!.count).toBe(1);
    expect(cache.held(["anzacday"], 6 * HOUR_MS, 3).size).toBe(0); // a new hour: nothing fresh
  });
});
