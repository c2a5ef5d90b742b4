import { writeFile } from "node:fs/promises";
import { invalidArgument } from "../core/errors.js";
import { ProgressBar } from "../core/progress.js";
import { BASELINE_NAMES, createBaseline, DEFAULT_HALF_LIFE_HOURS } from "../eval/baselines/index.js";
import { sharedVocabulary } from "../eval/baselines/corpus.js";
import { loadSplit, parseSplitDate } from "../eval/dataset.js";
import { evaluate } from "../eval/harness.js";
import { renderReport, type SystemResult } from "../eval/report.js";
import { ModelRanker } from "../eval/model-ranker.js";
import { ProductRanker } from "../eval/product-ranker.js";
import { DEFAULT_BLEND, FULL_WEIGHT_COVERAGE } from "../recommend/blend.js";
import { Suggester } from "../recommend/suggester.js";
import { SqliteTrendingStore } from "../trending/sqlite-store.js";
import { DEFAULT_TREND_HALF_LIFE_HOURS } from "../trending/store.js";
import { BLEND_LEARNING_RATE_HELP, blendLearningRate, parseWeights } from "./product-options.js";
import type { Ranker } from "../eval/ranker.js";
import { Recommender } from "../recommend/recommender.js";
import { fraction, parseCommandArgs, positiveInt, positiveNumber, vocabularySizeArg } from "./args.js";
import { fieldOptions, FIELD_FLAGS, FIELD_HELP } from "./fields.js";
import { formatTable } from "./table.js";

export const EVAL_HELP = `Usage: hashtag-rec eval --data FILE [--model DIR] [--baseline NAME[,NAME…] (--train FILE | --split DATE)] [options]

Scores recommenders on held-out tweets with one fixed protocol: each tweet with ≥1 hashtag is a
query (its cleaned text, hashtags removed) whose truth is its set of hashtags.

  --data FILE          test tweets (JSON lines or CSV, plain or .gz; '-' reads standard input)
  --model DIR          a model directory. Static: the model alone (its candidates are its hashtags;
                       with --hashtags and training tweets, only those of its hashtags that are in
                       the baselines' vocabulary, so all systems share one).
                       Online: the whole product — the model blended with a trending store that
                       ingests the training tweets first, then each test tweet after its prediction
  --baseline NAMES     ${BASELINE_NAMES.join(", ")}, or all; comma-separated for several
  --train FILE         training tweets (baselines fit on them; online mode ingests them first; '-' reads
                       standard input, which only one of --train and --data can)
  --split DATE         training rows before DATE, test rows from DATE (from --train, or both from --data)
  --hashtags K|all     candidate hashtags: the K most used with ≥2 uses, or all with ≥2 uses (default 1000)
  --online             predict each test tweet in time order, then ingest it
  --half-life HOURS    online half-life: of recent-pop (default ${DEFAULT_HALF_LIFE_HOURS}) and of the product's trending
                       store (default ${DEFAULT_TREND_HALF_LIFE_HOURS})
  --weights W          the product's blend, e.g. model=${DEFAULT_BLEND.model},trend=${DEFAULT_BLEND.trend},neighbours=${DEFAULT_BLEND.neighbours} (the defaults)
  --full-weight-coverage C
                       the product's model keeps its whole weight while at least this share of the
                       trending uses are of hashtags it knows; below, it falls in proportion
                       (default ${FULL_WEIGHT_COVERAGE}; 0 keeps it whole)
${BLEND_LEARNING_RATE_HELP}
  --neighbours N       neighbours that vote in knn (default 50)
  --json               print one JSON object per system; the last line is the last system
  --report FILE        write an HTML report (table and hit@k plot)
${FIELD_HELP}
Metrics: hit1, hit5, recall5 (share of the truth in the top 5), mrr10, coverage (share of scored
tweets with a truth hashtag among the candidates: the ceiling); skipped = empty queries.`;

/** `hashtag-rec eval`. Returns the exit code. */
export async function runEval(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("eval", argv, {
    data: { type: "string" },
    model: { type: "string" },
    baseline: { type: "string" },
    train: { type: "string" },
    split: { type: "string" },
    hashtags: { type: "string" },
    online: { type: "boolean" },
    "half-life": { type: "string" },
    weights: { type: "string" },
    "full-weight-coverage": { type: "string" },
    "blend-learning-rate": { type: "string" },
    neighbours: { type: "string" },
    json: { type: "boolean" },
    report: { type: "string" },
    ...FIELD_FLAGS,
  });
  if (values.help) {
    console.log(EVAL_HELP);
    return 0;
  }
  if (!values.data) throw invalidArgument("eval: --data FILE is required (see 'hashtag-rec eval --help')");
  if (!values.baseline && !values.model) throw invalidArgument("eval: name a system with --model DIR or --baseline NAME (see 'hashtag-rec eval --help')");
  const names = values.baseline === undefined ? [] : values.baseline === "all" ? [...BASELINE_NAMES] : values.baseline.split(",").map((s) => s.trim());
  const unknown = names.filter((name) => !(BASELINE_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw invalidArgument(`eval: unknown baseline '${unknown.join(", ")}'; valid: ${BASELINE_NAMES.join(", ")}, all`);
  if (names.length > 0 && !values.train && !values.split) throw invalidArgument("eval: baselines need training tweets: give --train FILE or --split DATE");
  // Load the model first: a broken model directory fails fast, before the data is read.
  const recommender = values.model === undefined ? undefined : await Recommender.load(values.model);
  const vocabularySize = vocabularySizeArg(values.hashtags, 1000);
  const online = values.online ?? false;
  const halfLifeHours = positiveNumber("--half-life", values["half-life"], DEFAULT_HALF_LIFE_HOURS);
  const neighbours = positiveInt("--neighbours", values.neighbours, 50);
  const split = values.split === undefined ? undefined : parseSplitDate(values.split);
  // The product's flags are checked before the data is read, though only --online --model uses them.
  const weights = parseWeights(values.weights);
  const fullWeightCoverage = fraction("--full-weight-coverage", values["full-weight-coverage"], FULL_WEIGHT_COVERAGE);
  const learningRate = blendLearningRate(values["blend-learning-rate"]);

  const loading = new ProgressBar({ label: "reading" });
  const { train, test, files, testPostedAt } = await loadSplit({
    data: values.data,
    train: values.train,
    split,
    fields: fieldOptions(values),
    onRow: (rows) => loading.update(rows),
  });
  loading.finish();
  for (const file of files) if (file.malformed.count > 0) console.error(`${file.path}: ${file.malformed.summary()}`);
  const seen = recommender === undefined ? undefined : seenTestTweets(recommender.model.trainedBefore, testPostedAt);
  if (seen !== undefined) console.error(`warning: ${values.model} trained on tweets from before ${seen.before}; ${seen.count} of the ${test.length} test tweets are from before then, so its numbers are not held out`);
  if (names.length > 0 && train.length === 0) throw invalidArgument("eval: no training tweets (check --train or --split)");

  let modelHashtags = recommender?.hashtags.length;
  const systems: { name: string; create: () => Ranker | Promise<Ranker> }[] = names.map((name) => ({
    name,
    create: () => createBaseline(name, train, { vocabularySize, online, halfLifeHours, neighbours }),
  }));
  if (recommender && online) {
    const trendHalfLife = positiveNumber("--half-life", values["half-life"], DEFAULT_TREND_HALF_LIFE_HOURS);
    if (train.length === 0) throw invalidArgument("eval --online --model: give training tweets (--train FILE or --split DATE) for the trending store to ingest first");
    systems.unshift({
      name: "model",
      create: async () => {
        const store = SqliteTrendingStore.open(":memory:", { halfLifeHours: trendHalfLife });
        const suggester = new Suggester(recommender, store, { weights, fullWeightCoverage, blendLearningRate: learningRate, batching: false, trendMaxAgeMs: Infinity });
        const bar = new ProgressBar({ label: "ingest train" });
        const ranker = await ProductRanker.create(suggester, train, (done, total) => bar.update(done, `of ${total}`));
        bar.finish();
        return ranker;
      },
    });
  } else if (recommender) {
    // `--hashtags K` with training tweets: the model competes on the baselines' K hashtags.
    const allowed = values.hashtags !== undefined && train.length > 0 ? sharedVocabulary(train, vocabularySize) : undefined;
    if (values.hashtags !== undefined && train.length === 0) console.error("note: --hashtags limits the model only with training tweets (--train or --split); the model ranks all its hashtags");
    if (allowed) modelHashtags = recommender.hashtags.filter((h) => allowed(h.key)).length;
    systems.unshift({ name: "model", create: () => new ModelRanker(recommender, "model", allowed) });
  }

  const results: SystemResult[] = [];
  for (const { name, create } of systems) {
    const started = performance.now();
    const ranker = await create();
    const fitted = performance.now();
    const bar = new ProgressBar({ label: name });
    const metrics = await evaluate(ranker, test, { online, onProgress: (done, total) => bar.update(done, `of ${total}`) });
    bar.finish();
    const seconds = (performance.now() - fitted) / 1000;
    results.push({ system: name, metrics });
    if (values.json) {
      const { hitAtK, ...rest } = metrics;
      console.log(
        JSON.stringify({
          system: name,
          ...rest,
          hit_at_k: hitAtK,
          mode: online ? "online" : "static",
          hashtags: name === "model" && modelHashtags !== undefined ? modelHashtags : vocabularySize,
          train_tweets: train.length,
          test_tweets: test.length,
          fit_s: round((fitted - started) / 1000),
          eval_s: round(seconds),
          tweets_per_s: round((metrics.n + metrics.skipped) / seconds),
        }),
      );
    }
  }
  if (!values.json) {
    console.log(`${online ? "online" : "static"} · ${vocabularySize} hashtags · ${train.length} training tweets · ${test.length} test tweets`);
    console.log(
      formatTable(
        ["system", "n", "skipped", "hit1", "hit5", "recall5", "mrr10", "coverage"],
        results.map(({ system, metrics: m }) => [system, m.n, m.skipped, m.hit1, m.hit5, m.recall5, m.mrr10, m.coverage]),
      ),
    );
  }
  if (values.report) {
    const details = {
      data: values.data,
      model: values.model ?? "none",
      train: values.train ?? (values.split ? `${values.data} before ${values.split}` : "none"),
      split: values.split ?? "none",
      mode: online ? "online" : "static",
      hashtags: String(vocabularySize),
      "training tweets": train.length,
      "test tweets": test.length,
    };
    await writeFile(values.report, renderReport(results, details));
    console.error(`report written to ${values.report}`);
  }
  await recommender?.close();
  return 0;
}

/** How many test tweets were posted while the model's training data was being collected, if any. */
function seenTestTweets(trainedBefore: number | undefined, postedAt: readonly (number | undefined)[]): { before: string; count: number } | undefined {
  if (trainedBefore === undefined) return undefined;
  const count = postedAt.filter((time) => time !== undefined && time < trainedBefore).length;
  return count === 0 ? undefined : { before: new Date(trainedBefore).toISOString(), count };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
