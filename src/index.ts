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
