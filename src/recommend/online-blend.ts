import { invalidArgument } from "../core/errors.js";
import { SIGNALS, type BlendWeights } from "./blend.js";

export interface OnlineBlendOptions {
  /**
   * Adam's step size: how far each weight may move per tweet learned from (default
   * {@link DEFAULT_BLEND_LEARNING_RATE}; 0 keeps the weights as given).
   */
  learningRate?: number;
}

/**
 * Chosen with `bench/blend.ts` on the validation days (bench/README.md "The blend learns from the
 * stream"): 0.001 to 0.003 did as well on the whole stream, 0.002 best on thinned ones.
 */
export const DEFAULT_BLEND_LEARNING_RATE = 0.002;
/** A tweet to learn from: its draft's candidates' features and which of them are its hashtags. */
export interface Lesson {
  /** `count` rows of `SIGNALS.length` features, each on the scale its weight multiplies (as `features()` in blend.ts gives them). */
  features: Float64Array;
  /** 1 where a row is one of the tweet's hashtags. */
  isTruth: Uint8Array;
  count: number;
}

/** What an {@link OnlineBlend} has learned, as plain numbers (it travels as JSON through the store). */
export interface BlendState {
  weights: BlendWeights;
  /** Adam's moving averages of each signal's gradient and squared gradient, in `SIGNALS` order. */
  mean: number[];
  meanSquare: number[];
  /** Tweets learned from. */
  steps: number;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/**
 * The blend's weights, learning from the stream: for each tweet it is shown with its hashtags, one
 * step of Adam on the same loss `bench/blend.ts` fits the defaults with — minus the log of the
 * share of the softmax over the draft's candidates that goes to the tweet's hashtags. The stream
 * says what its signals are worth (a thin stream has fewer look-alike tweets, another source other
 * hashtags than the model's), and the weights follow it from where they started. A signal whose
 * weight starts at 0 is off and stays off; a blend of one signal (`--weights model=1`) has nothing
 * to weigh it against, and does not learn; with a learning rate of 0 nothing moves.
 *
 * `weights` is replaced, never changed in place, at each step: a blend read once is the blend used.
 *
 * @example
 * ```ts
 * const blend = new OnlineBlend(DEFAULT_BLEND);
 * blend.learn({ features, isTruth, count }); // features: count × SIGNALS.length, row by row
 * blend.weights; // a new object when it moved
 * ```
 */
export class OnlineBlend {
  /** The weights it started from. */
  readonly initial: Readonly<BlendWeights>;
  private current: Readonly<BlendWeights>;
  readonly learningRate: number;
  /** Adam's moving averages of each signal's gradient and squared gradient, in `SIGNALS` order. */
  private readonly mean = new Float64Array(SIGNALS.length);
  private readonly meanSquare = new Float64Array(SIGNALS.length);
  private steps = 0;
  private readonly learns: readonly boolean[];
  /** Scratch: each candidate's probability. */
  private probabilities = new Float64Array(512);

  constructor(initial: Readonly<BlendWeights>, options: OnlineBlendOptions = {}) {
    this.initial = Object.freeze({ ...initial });
    this.current = this.initial;
    this.learningRate = options.learningRate ?? DEFAULT_BLEND_LEARNING_RATE;
    if (!(this.learningRate >= 0 && Number.isFinite(this.learningRate))) {
      throw invalidArgument(`the blend's learning rate must be a number ≥ 0, got '${options.learningRate}'`);
    }
    const on = SIGNALS.filter((signal) => initial[signal] !== 0).length;
    this.learns = SIGNALS.map((signal) => this.learningRate > 0 && on >= 2 && initial[signal] !== 0);
  }

  /** The weights now. */
  get weights(): Readonly<BlendWeights> {
    return this.current;
  }

  /** Steps taken (tweets learned from). */
  get learned(): number {
    return this.steps;
  }

  /** Whether it learns at all (a rate above 0 and two signals or more that are on). */
  get learning(): boolean {
    return this.learns.some(Boolean);
  }

  /** What it has learned, a copy. */
  get state(): BlendState {
    return { weights: { ...this.current }, mean: [...this.mean], meanSquare: [...this.meanSquare], steps: this.steps };
  }

  /**
   * Takes up a state learned elsewhere (by another process sharing the store, or before a restart),
   * from the same initial weights: a signal that is off here keeps its initial weight.
   */
  restore(state: BlendState): void {
    this.current = Object.freeze(Object.fromEntries(SIGNALS.map((signal, f) => [signal, this.learns[f] ? state.weights[signal] : this.initial[signal]])) as BlendWeights);
    this.mean.set(state.mean);
    this.meanSquare.set(state.meanSquare);
    this.steps = state.steps;
  }

  /** A blend from the same initial weights and learning rate, in the same state, that learns apart from this one. */
  copy(): OnlineBlend {
    const copy = new OnlineBlend(this.initial, { learningRate: this.learningRate });
    copy.restore(this.state);
    return copy;
  }

  /**
   * One step on a tweet's lesson. Returns false, and moves nothing, when none of the candidates is
   * one of its hashtags (nothing to learn).
   */
  learn({ features, isTruth, count }: Lesson): boolean {
    if (!this.learning || count === 0) return false;
    const width = SIGNALS.length;
    const w = SIGNALS.map((signal) => this.current[signal]);
    if (this.probabilities.length < count) this.probabilities = new Float64Array(2 * count);
    const p = this.probabilities;
    let max = -Infinity;
    let hasTruth = false;
    for (let n = 0; n < count; n++) {
      let sum = 0;
      for (let f = 0; f < width; f++) sum += w[f]! * features[n * width + f]!;
      p[n] = sum;
      if (sum > max) max = sum;
      if (isTruth[n]) hasTruth = true;
    }
    if (!hasTruth) return false;
    let all = 0;
    let truth = 0;
    for (let n = 0; n < count; n++) {
      p[n] = Math.exp(p[n]! - max);
      all += p[n]!;
      if (isTruth[n]) truth += p[n]!;
    }
    // d/dw of −ln(truth / all) = Σ x · (p − isTruth · p / p_truth), with p normalised.
    const gradient = new Float64Array(width);
    for (let n = 0; n < count; n++) {
      const probability = p[n]! / all;
      const weight = probability - (isTruth[n] ? p[n]! / truth : 0);
      if (weight === 0) continue;
      for (let f = 0; f < width; f++) gradient[f]! += weight * features[n * width + f]!;
    }
    this.steps++;
    const next = { ...this.current };
    for (let f = 0; f < width; f++) {
      if (!this.learns[f]) continue;
      const g = gradient[f]!;
      if (!Number.isFinite(g)) continue;
      this.mean[f] = BETA1 * this.mean[f]! + (1 - BETA1) * g;
      this.meanSquare[f] = BETA2 * this.meanSquare[f]! + (1 - BETA2) * g * g;
      const mean = this.mean[f]! / (1 - BETA1 ** this.steps);
      const meanSquare = this.meanSquare[f]! / (1 - BETA2 ** this.steps);
      next[SIGNALS[f]!] -= (this.learningRate * mean) / (Math.sqrt(meanSquare) + EPSILON);
    }
    this.current = Object.freeze(next);
    return true;
  }
}
