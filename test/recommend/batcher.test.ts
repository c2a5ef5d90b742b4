import { describe, expect, it } from "vitest";
import { DynamicBatcher } from "../../src/recommend/batcher.js";
import { PrefixIndex } from "../../src/recommend/prefix-index.js";

describe("DynamicBatcher", () => {
  it("runs requests that arrive together as one batch, in order", async () => {
    const batches: number[][] = [];
    const batcher = new DynamicBatcher(async (items: number[]) => {
      batches.push(items);
      return items.map((x) => x * 10);
    }, { windowMs: 5 });
    expect(await Promise.all([1, 2, 3].map((x) => batcher.submit(x)))).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it("by default runs at once, and batches what comes in while the model runs", async () => {
    const batches: number[][] = [];
    let release: () => void = () => {};
    const batcher = new DynamicBatcher(async (items: number[]) => {
      batches.push(items);
      if (items[0] === 1) await new Promise<void>((resolve) => (release = resolve));
      return items;
    });
    const first = batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1]]); // no waiting for company
    const later = [batcher.submit(2), batcher.submit(3)];
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(batches).toEqual([[1]]); // the model is busy: 2 and 3 wait for it, together
    release();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it("keeps the order of requests across batches, and is not put off by a steady trickle", async () => {
    const batches: number[][] = [];
    const batcher = new DynamicBatcher(async (items: number[]) => {
      batches.push(items);
      return items;
    }, { maxBatch: 3 });
    // One request per turn of the event loop, submitted where setImmediate callbacks run: the
    // batch due after the first must not be pushed back by each newcomer.
    const results: Promise<number>[] = [];
    await new Promise<void>((resolve) => {
      const submitNext = (i: number) => {
        // The next turn's submit is queued before this one's flush, so it comes first in that turn.
        if (i < 9) setImmediate(() => submitNext(i + 1));
        else resolve();
        results.push(batcher.submit(i));
      };
      setImmediate(() => submitNext(0));
    });
    const ranBeforeTheLast = batches.length;
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ranBeforeTheLast).toBeGreaterThan(0);
    expect(batches.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("caps a batch at maxBatch and queues the rest for the next run", async () => {
    const sizes: number[] = [];
    const batcher = new DynamicBatcher(async (items: number[]) => {
      sizes.push(items.length);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return items;
    }, { windowMs: 1, maxBatch: 4 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.submit(i)));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(batcher.stats).toEqual({ batches: sizes.length, items: 10 });
  });

  it("rejects every request of a failed batch, and keeps working", async () => {
    let fail = true;
    const batcher = new DynamicBatcher(async (items: number[]) => {
      if (fail) throw new Error("model broke");
      return items;
    });
    const results = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    expect(await batcher.submit(3)).toBe(3);
  });
});

describe("PrefixIndex", () => {
  it.each([
    ["ma", ["mastodon", "mayday"]],
    ["may", ["mayday"]],
    ["", ["mastodon", "mayday", "other"]],
    ["zz", []],
  ])("finds keys starting with '%s'", (prefix, expected) => {
    expect(new PrefixIndex(["other", "mayday", "mastodon", "mayday"]).find(prefix, 10)).toEqual(expected);
  });

  it("stops at the limit", () => {
    expect(new PrefixIndex(["a1", "a2", "a3"]).find("a", 2)).toEqual(["a1", "a2"]);
  });
});
