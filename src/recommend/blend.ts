import { invalidArgument } from "../core/errors.js";

/** What is measured about one candidate hashtag for one draft. */
export interface Signals {
  /** The model's probability for this draft (0 when the model does not know the hashtag). */
  model: number;
  /** Its share of all recent, time-decayed uses in the trending store (0 when not trending). */
  trend: number;
  /** Its share of the votes of recent tweets whose text is like the draft's. */
  neighbours: number;
  /** Tweets among the last few ingested that used it (see `RecentUses`). */
  burst: number;
  /** All its uses ingested so far (0 when it is not among the trending hashtags read). */
  uses: number;
  /** Cosine between the draft and the centroid of the recent tweets that used it (see `CentroidIndex`; 0 when none). */
  centroid: number;
  /** The draft's score from the classifier trained on the stream (see `StreamClassifier`; 0 when it has no weights for it). */
  classifier: number;
  /**
   * Of the recent tweets with a hashtag already in the draft, the share that also used this one
   * (the largest over the draft's hashtags; see `CooccurrenceIndex`); 0 when the draft has none.
   */
  cooccurrence: number;
}

export type Signal = keyof Signals;
export const SIGNALS: readonly Signal[] = ["model", "trend", "neighbours", "burst", "uses", "centroid", "classifier", "cooccurrence"];

/**
 * Weights of the signals in a candidate's logit, a log-linear blend:
 * `logit = model · ln(p_model + 1e-5) + trend · ln(p_trend + 1e-7) + neighbours · ln(p_neighbours + 0.01)
 *          + burst · ln(1 + burst) + uses · ln(1 + uses) + centroid · √cosine + classifier · score
 *          + cooccurrence · ln(1 + share / 0.001)`,
 * so the final score, a softmax of the logits over the draft's candidates, is proportional to
 * `p_model^model · p_trend^trend · … · e^(centroid · √cosine + classifier · score) · (1 + share / 0.001)^cooccurrence`. A weight may be negative (`uses`
 * was: a hashtag everyone always uses needs more evidence than its count alone). More signals get
 * a weight here.
 */
export type BlendWeights = Record<Signal, number>;

/**
 * Fitted with `bench/blend.ts` (a listwise softmax over each draft's candidates, online, on the
 * validation days of the training period, 2023-05-08 to 05-10, 50,159 tweets; never the test
 * window) next to a held-out twin of models/default's first stage trained only on the tweets
 * before 2023-05-08, so that no validation tweet had been read by the model; bench/README.md "Choosing the
 * blend". models/default, trained further on all the data, cannot be fitted on those days, and
 * uses these weights as they are. `cooccurrence` counts only in drafts that hold a hashtag, which
 * the tweets learned from never do (their hashtags are what they teach): it was chosen with
 * `bench/cooccurrence.ts` on the same days, with the first hashtag of each tweet typed in its draft
 * (bench/README.md "Hashtags already in the draft"), and the blend's learning leaves it as it is.
 */
export const DEFAULT_BLEND: Readonly<BlendWeights> = Object.freeze({ model: 0.25, trend: 0.21, neighbours: 0.55, burst: 0.9, uses: -0.09, centroid: 8.36, classifier: 0.25, cooccurrence: 1.5 });

/**
 * The blend that scores and explains a completion whose draft has neither words nor hashtags (`#ma`
 * alone, `GET /v1/hashtags?prefix=ma`): the trend alone. `CandidateRanker.rankByTrend` orders by
 * the decayed uses themselves (the trend's floor ties uses hours old), and hashtags nobody has used
 * by the model's probability. With no words the look-alike tweets, centroids and classifier have
 * nothing to go on, and the blend fitted for drafts ranked the prefix's hashtags below their
 * decayed uses alone (`bench/complete.ts`; bench/README.md "Prefix completion"). A blend without
 * the trend (`--weights model=1`) ranks such completions itself.
 */
export const COMPLETION_WITHOUT_WORDS: Readonly<BlendWeights> = Object.freeze({ model: 0, trend: 1, neighbours: 0, burst: 0, uses: 0, centroid: 0, classifier: 0, cooccurrence: 0 });

/**
 * The model's coverage at and above which it keeps its whole weight. Coverage is the share of the
 * current trending uses (the trend snapshot's entries) that go to hashtags the model knows: 0.86 to
 * 0.97 for models/default on its own corpus, about 0.8 a few days after a model's training data
 * ends. Below it the model's weight falls in proportion, to 0 when the model knows none of the
 * hashtags in use (another source, a model months old): its confident picks are then hashtags
 * nobody is using, and they would bury the ones in use. Chosen with `bench/coverage.ts` on the
 * validation days (bench/README.md "A stream the model does not know").
 */
export const FULL_WEIGHT_COVERAGE = 0.5;

/**
 * What the model's weight is multiplied by at `coverage` (0–1): `min(1, coverage / full)`; 1 when
 * `full` is 0, and when the coverage is not a number (nothing to go by).
 */
export function modelWeightFactor(coverage: number, full = FULL_WEIGHT_COVERAGE): number {
  if (full <= 0 || !(coverage >= 0)) return 1;
  return Math.min(1, coverage / full);
}

/**
 * The blend for a draft whose trending uses the model covers to `coverage` ({@link modelWeightFactor});
 * the same object when nothing changes. A blend of the model alone (`--weights model=1`) is never
 * scaled: it asks for the model's ranking, whatever is trending.
 */
export function weightsAtCoverage(weights: Readonly<BlendWeights>, coverage: number, full = FULL_WEIGHT_COVERAGE): BlendWeights {
  const factor = modelScaleOf(weights, coverage, full);
  if (factor === 1) return weights;
  return { ...weights, model: weights.model * factor };
}

/** What {@link weightsAtCoverage} multiplies the model's weight by: {@link modelWeightFactor}, or 1 for a blend of the model alone. */
export function modelScaleOf(weights: Readonly<BlendWeights>, coverage: number, full = FULL_WEIGHT_COVERAGE): number {
  return isModelAlone(weights) ? 1 : modelWeightFactor(coverage, full);
}

/** Whether every signal but the model weighs 0. */
function isModelAlone(weights: Readonly<BlendWeights>): boolean {
  return SIGNALS.every((signal) => signal === "model" || weights[signal] === 0);
}

/** Floors under the probabilities before their logarithm: a zero is weak evidence, not a veto. */
const FLOORS = { model: 1e-5, trend: 1e-7, neighbours: 0.01 } as const;

/** Each signal on the scale its weight multiplies, one function per signal (the ranking caches some). */
export const feature: Readonly<Record<Signal, (value: number) => number>> = Object.freeze({
  model: (probability: number) => Math.log(probability + FLOORS.model),
  trend: (share: number) => Math.log(share + FLOORS.trend),
  neighbours: (share: number) => Math.log(share + FLOORS.neighbours),
  burst: (tweets: number) => Math.log1p(tweets),
  uses: (uses: number) => Math.log1p(uses),
  centroid: (cosine: number) => Math.sqrt(cosine),
  classifier: (score: number) => score,
  cooccurrence: (share: number) => Math.log1p(share / 0.001),
});

/** Each signal on the scale its weight multiplies. */
export function features(s: Signals): Record<Signal, number> {
  return {
    model: feature.model(s.model),
    trend: feature.trend(s.trend),
    neighbours: feature.neighbours(s.neighbours),
    burst: feature.burst(s.burst),
    uses: feature.uses(s.uses),
    centroid: feature.centroid(s.centroid),
    classifier: feature.classifier(s.classifier),
    cooccurrence: feature.cooccurrence(s.cooccurrence),
  };
}

/**
 * A candidate's logit: its features weighted and summed, in `SIGNALS` order, as
 * {@link explainScore} adds them, so the two give the same number to the last bit
 * (test/recommend/blend.test.ts checks it). The ranking itself uses {@link logitOfFeatures}.
 */
export function logit(s: Signals, weights: BlendWeights): number {
  return logitOfFeatures(feature.model(s.model), feature.trend(s.trend), feature.neighbours(s.neighbours), feature.burst(s.burst), feature.uses(s.uses), feature.centroid(s.centroid), feature.classifier(s.classifier), feature.cooccurrence(s.cooccurrence), weights);
}

/** {@link logit} from features already computed (see {@link feature}): the same sum, in the same order. */
export function logitOfFeatures(model: number, trend: number, neighbours: number, burst: number, uses: number, centroid: number, classifier: number, cooccurrence: number, weights: BlendWeights): number {
  let sum = 0;
  sum += weights.model * model;
  sum += weights.trend * trend;
  sum += weights.neighbours * neighbours;
  sum += weights.burst * burst;
  sum += weights.uses * uses;
  sum += weights.centroid * centroid;
  sum += weights.classifier * classifier;
  sum += weights.cooccurrence * cooccurrence;
  return sum;
}

/** A candidate's signals and their weighted parts, as `explain` shows them. */
export interface ScoreParts extends Signals {
  /** Each signal's feature times its weight: they add up to the logit. */
  contributions: Record<Signal, number>;
  /** The candidate's logit; the score is its softmax over the draft's candidates. */
  logit: number;
}

/** The parts of {@link logit}, summed in the same order, so `logit` is the same number. */
export function explainScore(s: Signals, weights: BlendWeights): ScoreParts {
  const f = features(s);
  const contributions = {} as Record<Signal, number>;
  let sum = 0;
  for (const name of SIGNALS) {
    contributions[name] = weights[name] * f[name];
    sum += contributions[name];
  }
  return { ...s, contributions, logit: sum };
}

/** Checks weights given by a user (finite, not all 0). */
export function checkWeights(weights: BlendWeights): BlendWeights {
  const values = Object.entries(weights);
  for (const [name, value] of values) {
    if (!Number.isFinite(value)) throw invalidArgument(`blend weight '${name}' must be a finite number, got '${value}'`);
  }
  if (values.every(([, value]) => value === 0)) throw invalidArgument("blend weights cannot all be 0");
  return weights;
}
