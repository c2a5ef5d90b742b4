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
function alone(lessons: readonly Lesson[], initial: Readonly<BlendWeights> = DEFAULT_BLEND, learningRate?: number): OnlineBlend {
  const blend = new OnlineBlend(initial, learningRate === undefined ? {} : { learningRate });
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
  const peer = (initial: Readonly<BlendWeights> = DEFAULT_BLEND, learningRate?: number, store: TrendingStore = open(), model = "model-a") => {
    const blend = new OnlineBlend(initial, learningRate === undefined ? {} : { learningRate });
    return { blend, shared: new SharedBlend(blend, store, model), store };
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
    const a = peer();
    const b = peer();
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
    await peer().shared.learn(lessons);
    for (const store of stores.splice(0)) await store.close();
    const restarted = peer();
    expect(restarted.blend.weights).toEqual(DEFAULT_BLEND);
    await restarted.shared.refresh();
    expect(restarted.blend.state).toEqual(alone(lessons).state);
  });

  it("reads again and learns on the other's state when another process wrote between its read and its write", async () => {
    const lessons = [randomLesson(), randomLesson()];
    const store = open();
    const a = peer(DEFAULT_BLEND, undefined, store);
    const b = peer();
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
    const a = peer(DEFAULT_BLEND, undefined, store);
    const b = peer();
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

  it("does not take up a state read while a learn that began before the read ended", async () => {
    const lessons = [randomLesson(), randomLesson()];
    const store = open();
    const a = peer(DEFAULT_BLEND, undefined, store);
    await a.shared.learn([lessons[0]!]); // version 1
    const read = store.readShared.bind(store);
    const learnRead = gate();
    const refreshRead = gate();
    vi.spyOn(store, "readShared")
      .mockImplementationOnce(async (name) => {
        await learnRead.wait; // the learn's read waits…
        return read(name);
      })
      .mockImplementationOnce(async (name) => {
        const shared = await read(name); // …while the refresh reads version 1, held
        await refreshRead.wait;
        return shared;
      });
    const learning = a.shared.learn([lessons[1]!]);
    const late = a.shared.refresh();
    learnRead.open();
    await learning; // version 2 written and taken up
    refreshRead.open();
    await late; // version 1: not taken up
    expect(a.blend.state).toEqual(alone(lessons).state);
  });

  it("steps the shared state at its own learning rate", async () => {
    const lessons = [randomLesson(), randomLesson()];
    const a = peer(DEFAULT_BLEND, 0.05);
    await a.shared.learn(lessons);
    expect(a.blend.state).toEqual(alone(lessons, DEFAULT_BLEND, 0.05).state);
    expect(a.blend.state).not.toEqual(alone(lessons).state);
  });

  it("takes up a value written again after the store was wiped, though its version is the one it held", async () => {
    const lessons = [randomLesson(), randomLesson()];
    const a = peer();
    const b = peer();
    await b.shared.learn([lessons[0]!]); // version 1
    await a.shared.refresh();
    // The store loses the value (a Redis restarted without persistence); another process writes version 1 again.
    const wiped = peer(DEFAULT_BLEND, undefined, SqliteTrendingStore.open(join(dir, "other.db"), { halfLifeHours: 1 }));
    stores.push(wiped.store);
    await wiped.shared.learn(lessons);
    const value = (await wiped.store.readShared(wiped.shared.name))!;
    expect(value.version).toBe(1);
    vi.spyOn(a.store, "readShared").mockResolvedValueOnce(value);
    await a.shared.refresh();
    expect(a.blend.state).toEqual(alone(lessons).state);
  });

  it("resets the stored state to the initial weights: every process takes that up, and learns on from there", async () => {
    const lessons = [randomLesson(), randomLesson()];
    const a = peer();
    const b = peer();
    await a.shared.learn([lessons[0]!]);
    await a.shared.reset();
    expect(a.blend.state).toEqual(new OnlineBlend(DEFAULT_BLEND).state);
    await b.shared.refresh();
    expect(b.blend.weights).toEqual(DEFAULT_BLEND);
    await b.shared.learn([lessons[1]!]);
    expect(b.blend.state).toEqual(alone([lessons[1]!]).state);
    expect(await b.store.readShared(b.shared.name)).toMatchObject({ version: 3 });
  });

  it("keeps a state per initial weights and per model, writes over a value that is no blend state, and reads nothing when it does not learn", async () => {
    const lessons = [randomLesson()];
    const other: BlendWeights = { ...DEFAULT_BLEND, neighbours: 1 };
    const a = peer();
    const b = peer(other);
    expect(b.shared.name).not.toBe(a.shared.name);
    await a.shared.learn(lessons);
    await b.shared.refresh();
    expect(b.blend.weights).toEqual(other);
    await b.shared.learn(lessons);
    expect(b.blend.state).toEqual(alone(lessons, other).state);

    const withModel = peer(DEFAULT_BLEND, undefined, open(), "model-b");
    expect(withModel.shared.name).not.toBe(a.shared.name);
    await withModel.shared.refresh();
    expect(withModel.blend.weights).toEqual(DEFAULT_BLEND);

    // Values that are no blend state: not JSON, JSON of another shape, arrays of another length.
    const wrong = [
      "not a blend state",
      JSON.stringify({ weights: {} }),
      JSON.stringify({ ...alone(lessons).state, mean: [0, 0] }),
      JSON.stringify({ ...alone(lessons).state, steps: -1 }),
    ];
    for (const [i, junk] of wrong.entries()) {
      await a.store.writeShared(a.shared.name, junk, i + 1);
      const c = peer();
      await c.shared.refresh();
      expect(c.blend.weights).toEqual(DEFAULT_BLEND);
    }
    const c = peer();
    await c.shared.learn(lessons);
    expect(c.blend.state).toEqual(alone(lessons).state);
    expect(await c.store.readShared(c.shared.name)).toMatchObject({ version: wrong.length + 2 });

    for (const fixed of [peer(DEFAULT_BLEND, 0), peer({ ...DEFAULT_BLEND, ...Object.fromEntries(SIGNALS.map((s) => [s, 0])), model: 1 })]) {
      const reads = vi.spyOn(fixed.store, "readShared");
      const writes = vi.spyOn(fixed.store, "writeShared");
      await fixed.shared.refresh();
      await fixed.shared.learn(lessons);
      expect(reads).not.toHaveBeenCalled();
      expect(writes).not.toHaveBeenCalled();
    }
  });
});
