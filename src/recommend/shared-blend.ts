import { z } from "zod";
import { HashtagRecError } from "../core/errors.js";
import type { SharedValue, TrendingStore } from "../trending/store.js";
import { SIGNALS, type Signal } from "./blend.js";
import { OnlineBlend, type BlendState, type Lesson } from "./online-blend.js";

/** Writes that lose to another process's are tried again up to this many times, then the lessons are let go. */
const MAX_ATTEMPTS = 8;

const finite = z.number().finite();
const BLEND_STATE = z.object({
  weights: z.object(Object.fromEntries(SIGNALS.map((signal) => [signal, finite])) as Record<Signal, typeof finite>),
  mean: z.array(finite).length(SIGNALS.length),
  meanSquare: z.array(finite.nonnegative()).length(SIGNALS.length),
  steps: z.number().int().nonnegative(),
});

/** A stored blend state, or undefined when it is not one (written by something else): it is then written over. */
function parseState(shared: SharedValue | undefined): BlendState | undefined {
  if (shared === undefined) return undefined;
  try {
    const parsed = BLEND_STATE.safeParse(JSON.parse(shared.value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Waits a random while, longer after each lost write, so that processes that keep colliding fall out of step. */
function backOff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** attempt));
}

/**
 * An {@link OnlineBlend} whose state lives in the trending store, under a name made of its initial
 * weights and of the model it ranks with (the model's weight is on that model's scale): every
 * process that shares the store (`serve --workers N`, servers on one Redis) and starts from the
 * same weights with the same model learns from all of their ingests and ranks with the same
 * weights, and a restart goes on from where the blend was. Servers started from other weights,
 * or with another model, keep a state of their own. Processes with other learning rates, or
 * another `fullWeightCoverage`, share one state and step it each their own way.
 *
 * Each learning step reads the stored state, steps it, and writes it back if no other process
 * wrote in between (a compare-and-set, {@link TrendingStore.writeShared}), else reads it again.
 * What other processes learned is taken up by {@link refresh}, which the suggester calls each time
 * it reads the store's recent tweets (every second at most). A blend that does not learn (a
 * learning rate of 0, a single signal) reads and writes nothing: its weights stay as given.
 */
export class SharedBlend {
  /** The name of the state in the store. */
  readonly name: string;
  /** The stored value this process took up or wrote last (a store wiped and written again can repeat a version, not a value). */
  private held: string | undefined;
  /** Counts each {@link learn} and {@link reset} as it begins and as it ends, and each {@link refresh} as it begins. */
  private changes = 0;

  /** `model`: the identity of the model the blend ranks with (`ModelDirectory.fingerprint`). */
  constructor(
    private readonly blend: OnlineBlend,
    private readonly store: TrendingStore,
    model: string,
  ) {
    this.name = `blend:${SIGNALS.map((signal) => `${signal}=${blend.initial[signal]}`).join(",")}@${model}`;
  }

  /**
   * Steps the stored state on `lessons`, writes it back and takes it up. Rejects when the store
   * does; lets the lessons go when other processes won the write {@link MAX_ATTEMPTS} times.
   */
  async learn(lessons: readonly Lesson[]): Promise<void> {
    if (!this.blend.learning || lessons.length === 0) return;
    await this.update((shared) => {
      const next = this.blend.copy();
      const stored = parseState(shared);
      if (stored !== undefined) next.restore(stored);
      let moved = false;
      for (const lesson of lessons) moved = next.learn(lesson) || moved;
      return moved ? next.state : undefined;
    });
  }

  /**
   * Sets the stored state back to the initial weights, forgetting what was learned (`hashtag-rec
   * blend --reset`); the processes on the store take that up as they take up any other change.
   */
  async reset(): Promise<void> {
    const initial = new OnlineBlend(this.blend.initial, { learningRate: this.blend.learningRate }).state;
    if (!(await this.update(() => initial))) {
      throw new HashtagRecError("STORE_UNAVAILABLE", `the blend's weights in the store kept changing while being reset (${MAX_ATTEMPTS} tries); try again`);
    }
  }

  /**
   * Reads the stored value, works out the state to write from it (`next`; undefined: nothing to
   * write), writes it if no other process wrote in between, and takes it up; reads again after a
   * lost write, up to {@link MAX_ATTEMPTS} times. False when every write was lost.
   */
  private async update(next: (shared: SharedValue | undefined) => BlendState | undefined): Promise<boolean> {
    this.changes++;
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        if (attempt > 0) await backOff(attempt);
        const shared = await this.store.readShared(this.name);
        const state = next(shared);
        if (state === undefined) return true;
        const value = JSON.stringify(state);
        if (await this.store.writeShared(this.name, value, shared?.version ?? 0)) {
          this.blend.restore(state);
          this.held = value;
          return true;
        }
      }
      return false;
    } finally {
      this.changes++;
    }
  }

  /**
   * Takes up the stored state when another process has changed it, unless a {@link learn}, a
   * {@link reset} or another refresh began or ended while it was read (what it read may then be
   * older than what this process holds).
   */
  async refresh(): Promise<void> {
    if (!this.blend.learning) return;
    const changes = ++this.changes;
    const shared = await this.store.readShared(this.name);
    if (changes !== this.changes || shared === undefined || shared.value === this.held) return;
    const stored = parseState(shared);
    if (stored !== undefined) this.blend.restore(stored);
    this.held = shared.value;
  }
}
