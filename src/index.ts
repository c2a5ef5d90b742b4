/**
 * hashtag-rec: hashtag suggestions for short posts.
 *
 * @example
 * ```ts
 * import { analyzeText, createBaseline, evaluate, loadSplit } from "hashtag-rec";
 *
 * analyzeText("RT @a: Lest we forget #AnzacDay https://t.co/x");
 * // { query: "Lest we forget", keys: ["anzacday"], mentions: [...] }
 *
 * const { train, test } = await loadSplit({ data: "tweets.jsonl.gz", split: Date.parse("2023-05-11") });
 * const knn = createBaseline("knn", train, { vocabularySize: 1000 });
 * await evaluate(knn, test); // { n: 26488, hit5: 0.228, mrr10: 0.166, ... }
 * ```
 */
export { HashtagRecError, ERROR_CATALOGUE, type ErrorCode } from "./core/errors.js";
export { analyzeText, cleanQuery, type AnalyzedText } from "./data/clean.js";
export { extractHashtags, findEntities, hashtagKey, type HashtagMention } from "./data/hashtags.js";
export { openTweets, parseTime, type FieldOptions, type TweetFormat, type TweetSource } from "./data/readers.js";
export { MalformedRows, type Tweet } from "./data/tweet.js";
export { toExample, type Example } from "./data/examples.js";
export { HashtagCounter, readBlocklist, writeHashtags, type HashtagEntry } from "./data/vocabulary.js";
export { BASELINE_NAMES, createBaseline, type Baseline, type BaselineName, type BaselineOptions } from "./eval/baselines/index.js";
export { loadExamples, loadSplit, parseSplitDate, type LoadedSplit } from "./eval/dataset.js";
export { evaluate, type EvaluateOptions } from "./eval/harness.js";
export { MetricsAccumulator, type Metrics } from "./eval/metrics.js";
export type { Query, Ranker } from "./eval/ranker.js";
export { renderReport } from "./eval/report.js";
export { Recommender, type Draft, type LoadRecommenderOptions, type RecommendOptions, type ScoredDraft, type Suggestion } from "./recommend/recommender.js";
export {
  Suggester,
  MAX_K,
  type ProductSuggestion,
  type SuggestRequest,
  type SuggestResult,
  type SuggesterOptions,
  type CompleteOptions,
  type Explanation,
} from "./recommend/suggester.js";
export {
  DEFAULT_BLEND,
  FULL_WEIGHT_COVERAGE,
  SIGNALS,
  weightsAtCoverage,
  type BlendWeights,
  type ScoreParts,
  type Signals as BlendSignals,
} from "./recommend/blend.js";
export { OnlineBlend, DEFAULT_BLEND_LEARNING_RATE, type BlendState, type Lesson, type OnlineBlendOptions } from "./recommend/online-blend.js";
export { SharedBlend } from "./recommend/shared-blend.js";
export { DynamicBatcher, type BatcherOptions } from "./recommend/batcher.js";
export { NeighbourIndex, type RecentTweet } from "./retrieval/neighbour-index.js";
export { CentroidIndex, type CentroidCosines, type CentroidIndexOptions } from "./retrieval/centroid-index.js";
export { StreamClassifier, type ClassifierScores, type StreamClassifierOptions } from "./retrieval/stream-classifier.js";
export { CooccurrenceIndex, DEFAULT_COOCCURRENCE_HALF_LIFE_HOURS, type CooccurrenceIndexOptions, type TaggedTweet } from "./retrieval/cooccurrence-index.js";
export { SqliteTrendingStore } from "./trending/sqlite-store.js";
export { RedisTrendingStore } from "./trending/redis-store.js";
export { openStore } from "./trending/open-store.js";
export { toIngestTweets, type IncomingTweet } from "./trending/incoming.js";
export { DEFAULT_TREND_HALF_LIFE_HOURS, type IngestResult, type IngestTweet, type SharedValue, type TrendEntry, type TrendingStore } from "./trending/store.js";
export { buildApp, type AppDeps } from "./server/app.js";
export { startServer, type RunningServer, type ServeOptions } from "./server/server.js";
