import type { Recommender } from "../recommend/recommender.js";
import type { Query, Ranker } from "./ranker.js";

/**
 * The model-backed {@link Recommender} as a system the harness can score (`eval --model`); with
 * `allowed`, limited to the hashtags it accepts (the baselines' vocabulary, so all share one).
 */
export class ModelRanker implements Ranker {
  readonly name: string;

  constructor(
    private readonly recommender: Recommender,
    name = "model",
    private readonly allowed?: (key: string) => boolean,
  ) {
    this.name = name;
  }

  rank(queries: readonly Query[], k: number): Promise<string[][]> {
    return this.recommender.rankCleanQueries(
      queries.map((q) => q.text),
      k,
      this.allowed,
    );
  }

  isCandidate(key: string): boolean {
    return this.recommender.hasHashtag(key) && (this.allowed?.(key) ?? true);
  }
}
