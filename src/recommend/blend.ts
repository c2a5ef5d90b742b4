import { invalidArgument } from "../core/errors.js";

/**
 * Weights of the signals in the final score,
 * `score = model · p_model + trend · p_trend + neighbours · p_neighbours`, where `p_model` is the
 * model's probability of the hashtag for this draft, `p_trend` its share of all recent
 * (time-decayed) hashtag uses, and `p_neighbours` its share of the votes of recent tweets whose
 * text is like the draft's. All three are probabilities, so the score is one too when the weights
 * sum to 1. More signals get a weight here.
 */
export interface BlendWeights {
  model: number;
  trend: number;
  neighbours: number;
}

export const SIGNALS = ["model", "trend", "neighbours"] as const;

/**
 * Chosen with `bench/blend.ts` (online, on the validation days 2023-05-08…10 of the training
 * period, never the test window); see README "Choosing the blend".
 */
export const DEFAULT_BLEND: Readonly<BlendWeights> = Object.freeze({ model: 0.1, trend: 0.4, neighbours: 0.5 });

/** A candidate's signals and their weighted parts, as `explain` shows them. */
export interface ScoreParts {
  /** The model's probability (0 when the model does not know the hashtag). */
  model: number;
  /** Share of recent uses (0 when not among the trending hashtags). */
  trend: number;
  /** Share of the votes of recent look-alike tweets. */
  neighbours: number;
  /** Each signal times its weight: they add up to the score. */
  contributions: { model: number; trend: number; neighbours: number };
}

export function blend(signals: { model: number; trend: number; neighbours: number }, weights: BlendWeights): { score: number; parts: ScoreParts } {
  const contributions = {
    model: weights.model * signals.model,
    trend: weights.trend * signals.trend,
    neighbours: weights.neighbours * signals.neighbours,
  };
  return { score: contributions.model + contributions.trend + contributions.neighbours, parts: { ...signals, contributions } };
}

/** Checks weights given by a user (non-negative, finite, not all zero). */
export function checkWeights(weights: BlendWeights): BlendWeights {
  const values = Object.entries(weights);
  for (const [name, value] of values) {
    if (!Number.isFinite(value) || value < 0) throw invalidArgument(`blend weight '${name}' must be a non-negative number, got '${value}'`);
  }
  if (values.every(([, value]) => value === 0)) throw invalidArgument("blend weights cannot all be 0");
  return weights;
}
