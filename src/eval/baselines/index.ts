import { invalidArgument } from "../../core/errors.js";
import type { Example } from "../../data/examples.js";
import type { Query, Ranker } from "../ranker.js";
import { CentroidBaseline } from "./centroid.js";
import type { VocabularySize } from "./corpus.js";
import { KnnBaseline } from "./knn.js";
import { PopBaseline } from "./pop.js";
import { RecentPopBaseline } from "./recent-pop.js";

export const BASELINE_NAMES = ["pop", "recent-pop", "knn", "centroid"] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

export interface BaselineOptions {
  vocabularySize: VocabularySize;
  /** Online mode: `recent-pop` becomes time-decayed counts. */
  online?: boolean;
  /** Half-life of the online `recent-pop`, in hours. */
  halfLifeHours?: number;
  /** Neighbours that vote in `knn`. */
  neighbours?: number;
}

/** A baseline: a synchronous {@link Ranker} that always learns from the stream when asked. */
export interface Baseline extends Ranker {
  rank(queries: readonly Query[], k: number): string[][];
  ingest(examples: readonly Example[]): void;
}

/** Default half-life of the online `recent-pop`, chosen on the time split (see README). */
export const DEFAULT_HALF_LIFE_HOURS = 24;

export function isBaselineName(name: string): name is BaselineName {
  return (BASELINE_NAMES as readonly string[]).includes(name);
}

/**
 * Fits a baseline on training tweets (their times must be set).
 *
 * @example
 * ```ts
 * const knn = createBaseline("knn", trainExamples, { vocabularySize: 1000 });
 * knn.rank([{ text: "Lest we forget", time: Date.now() }], 5); // [["anzacday", ...]]
 * ```
 */
export function createBaseline(name: string, train: readonly Example[], options: BaselineOptions): Baseline {
  switch (name) {
    case "pop":
      return new PopBaseline(train, options.vocabularySize);
    case "recent-pop":
      return new RecentPopBaseline(
        train,
        options.vocabularySize,
        options.online ? { halfLifeHours: options.halfLifeHours ?? DEFAULT_HALF_LIFE_HOURS } : {},
      );
    case "knn":
      return new KnnBaseline(train, options.vocabularySize, options.neighbours);
    case "centroid":
      return new CentroidBaseline(train, options.vocabularySize, options.online ?? false);
    default:
      throw invalidArgument(`unknown baseline '${name}'; valid baselines: ${BASELINE_NAMES.join(", ")}`);
  }
}
