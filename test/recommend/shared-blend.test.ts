import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_BLEND, SIGNALS, type BlendWeights } from "../../src/recommend/blend.js";
import { OnlineBlend, type Lesson } from "../../src/recommend/online-blend.js";
import { SharedBlend } from "../../src/recommend/shared-blend.js";
import { SqliteTrendingStore } from "../../src/trending/sqlite-store.js";
import type { TrendingStore } from "../../src/trending/store.js";

const WIDTH = SIGNALS.length;
let seed = 11;
const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;

/** A draft's 30 candidates with random features; the first is the truth. */
function randomLesson(): Lesson {
  const count = 30;
  const features = Float64Array.from({ length: count * WIDTH }, () => random() * 4 - 2);
  const isTruth = Uint8Array.from({ length: count }, (_, n) => (n === 0 ? 1 : 0));
  return { features, isTruth, count };
}

/** One blend learning every lesson in order: what the processes sharing a store must agree with. */
function alone(lessons: readonly Lesson[], initial: Readonly<BlendWeights> = DEFAULT_BLEND): OnlineBlend {
  const blend = new OnlineBlend(initial);
  for (const lesson of lessons) blend.learn(lesson);
  return blend;
}

/** Resolves when `open()` is called. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe("SharedBlend", () => {
  let dir: string;
  let file: string;
  const stores: TrendingStore[] = [];
  /** A connection of its own to the one store file, as another process would have. */
  const open = () => {
    const store = SqliteTrendingStore.open(file, { halfLifeHours: 1 });
    stores.push(store);
    return store;
  };
  /** A process's blend on its own connection. */
  const process = (initial: Readonly<BlendWeights> = DEFAULT_BLEND, learningRate?: number, store: TrendingStore = open()) => {
    const blend = new OnlineBlend(initial, learningRate === undefined ? {} : { learningRate });
    return { blend, shared: new SharedBlend(blend, store), store };
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "shared-blend-"));
    file = join(dir, "trends.db");
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("learns every process's lessons into one state, in the order they were written, and each takes it up", async () => {
    const lessons = [randomLesson(), randomLesson(), randomLesson()];
    const a = process();
    const b = process();
    await a.shared.learn([lessons[0]!]);
    await b.shared.refresh();
    expect(b.blend.weights).toEqual(a.blend.weights);
    await b.shared.learn([lessons[1]!, lessons[2]!]);
    expect(b.blend.state).toEqual(alone(lessons).state);
    expect(a.blend.learned).toBe(1);
    await a.shared.refresh();
    expect(a.blend.state).toEqual(alone(lessons).state);
    expect(a.blend.weights).not.toEqual(DEFAULT_BLEND);
  });

  it("goes on after a restart from the state stored", async () => {
    const lessons = [randomLesson(), randomLesson()];
    await process().shared.learn(lessons);
    for (const store of stores.splice(0)) await store.close();
    const restarted = process();
    expect(restarted.blend.weights).toEqual(DEFAULT_BLEND);
    await restarted.shared.refresh();
    expect(restarted.blend.state).toEqual(alone(lessons).state);
  });

  it("reads again and learns on the other's state when another process wrote between its read and its write", async () => {
    const lessons = [randomLesson(), randomLesson()];
    const store = open();
    const a = process(DEFAULT_BLEND, undefined, store);
    const b = process();
    const read = store.readShared.bind(store);
    // A's first read returns, then B learns and writes before A gets to write.
    vi.spyOn(store, "readShared").mockImplementationOnce(async (name) => {
      const shared = await read(name);
      await b.shared.learn([lessons[0]!]);
      return shared;
    });
    await a.shared.learn([lessons[1]!]);
    expect(a.blend.state).toEqual(alone(lessons).state);
    expect(await store.readShared(a.shared.name)).toMatchObject({ version: 2 });
  });

  it("does not take up a state read before a newer one it took up, nor one read while it learned", async () => {
    const lessons = [randomLesson(), randomLesson(), randomLesson()];
    const store = open();
    const a = process(DEFAULT_BLEND, undefined, store);
    const b = process();
    await a.shared.learn([lessons[0]!]);
    const read = store.readShared.bind(store);
    /** A's next read returns what it read only once `held.open()` is called. */
    const hold = () => {
      const held = gate();
      vi.spyOn(store, "readShared").mockImplementationOnce(async (name) => {
        const shared = await read(name);
        await held.wait;
        return shared;
      });
      return held;
    };
    let held = hold();
    let late = a.shared.refresh(); // reads version 1
    await b.shared.refresh();
    await b.shared.learn([lessons[1]!]); // version 2, by another process
    await a.shared.refresh(); // takes up version 2
    held.open();
    await late; // version 1 arrives: not taken up
    expect(a.blend.state).toEqual(alone(lessons.slice(0, 2)).state);

    held = hold();
    late = a.shared.refresh(); // reads version 2
    await a.shared.learn([lessons[2]!]); // writes version 3
    held.open();
    await late;
    expect(a.blend.state).toEqual(alone(lessons).state);
  });

  it("resets the stored state to the initial weights: every process takes that up, and learns on from there", async () => {
    const lessons = [randomLesson(), randomLesson()];
    const a = process();
    const b = process();
    await a.shared.learn([lessons[0]!]);
    await a.shared.reset();
    expect(a.blend.state).toEqual(new OnlineBlend(DEFAULT_BLEND).state);
    await b.shared.refresh();
    expect(b.blend.weights).toEqual(DEFAULT_BLEND);
    await b.shared.learn([lessons[1]!]);
    expect(b.blend.state).toEqual(alone([lessons[1]!]).state);
    expect(await b.store.readShared(b.shared.name)).toMatchObject({ version: 3 });
  });

  it("keeps a state per initial weights, writes over a value that is no blend state, and reads nothing when it does not learn", async () => {
    const lessons = [randomLesson()];
    const other: BlendWeights = { ...DEFAULT_BLEND, neighbours: 1 };
    const a = process();
    const b = process(other);
    expect(b.shared.name).not.toBe(a.shared.name);
    await a.shared.learn(lessons);
    await b.shared.refresh();
    expect(b.blend.weights).toEqual(other);
    await b.shared.learn(lessons);
    expect(b.blend.state).toEqual(alone(lessons, other).state);

    await a.store.writeShared(a.shared.name, "not a blend state", 1);
    const c = process();
    await c.shared.refresh();
    expect(c.blend.weights).toEqual(DEFAULT_BLEND);
    await c.shared.learn(lessons);
    expect(c.blend.state).toEqual(alone(lessons).state);
    expect(await c.store.readShared(c.shared.name)).toMatchObject({ version: 3 });

    for (const fixed of [process(DEFAULT_BLEND, 0), process({ ...DEFAULT_BLEND, ...Object.fromEntries(SIGNALS.map((s) => [s, 0])), model: 1 })]) {
      const reads = vi.spyOn(fixed.store, "readShared");
      const writes = vi.spyOn(fixed.store, "writeShared");
      await fixed.shared.refresh();
      await fixed.shared.learn(lessons);
      expect(reads).not.toHaveBeenCalled();
      expect(writes).not.toHaveBeenCalled();
    }
  });
});
