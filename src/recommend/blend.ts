import { invalidArgument } from "../core/errors.js";

/**
 * Weights of the signals in the final score,
 * `score = model · p_model + trend · p_trend · fit + neighbours · p_neighbours`, where `p_model` is
 * the model's probability of the hashtag for this draft, `p_trend` its share of all recent
 * (time-decayed) hashtag uses, `fit = ((p_model + ε) / (max p_model + ε))^TREND_FIT_POWER` tempers
 * a trend by how well it fits this draft (ε = 0.001, so a hashtag the model never saw keeps some
 * trend), and `p_neighbours` is its share of the votes of recent tweets whose text is like the
 * draft's. More signals get a weight here.
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
export const DEFAULT_BLEND: Readonly<BlendWeights> = Object.freeze({ model: 0.1, trend: 0.6, neighbours: 0.3 });

/** How much a trend is tempered by its fit with the draft (0: not at all); chosen with the weights. */
export const TREND_FIT_POWER = 0.25;
const FIT_EPSILON = 1e-3;

/** The trend's fit factor for a hashtag the model gives `model`, when its best hashtag gets `bestModel`. */
export function trendFit(model: number, bestModel: number, power = TREND_FIT_POWER): number {
  return power === 0 ? 1 : ((model + FIT_EPSILON) / (bestModel + FIT_EPSILON)) ** power;
}

/** A candidate's signals and their weighted parts, as `explain` shows them. */
export interface ScoreParts {
  /** The model's probability (0 when the model does not know the hashtag). */
  model: number;
  /** Share of recent uses (0 when not among the trending hashtags). */
  trend: number;
  /** How well the trend fits this draft (0–1; see {@link trendFit}). */
  trendFit: number;
  /** Share of the votes of recent look-alike tweets. */
  neighbours: number;
  /** Each signal times its weight (the trend's times its fit too): they add up to the score. */
  contributions: { model: number; trend: number; neighbours: number };
}

export function blend(
  signals: { model: number; trend: number; trendFit: number; neighbours: number },
  weights: BlendWeights,
): { score: number; parts: ScoreParts } {
  const contributions = {
    model: weights.model * signals.model,
    trend: weights.trend * signals.trend * signals.trendFit,
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
