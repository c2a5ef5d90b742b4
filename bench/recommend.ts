/**
 * Recommender speed: load time, p50/p90 latency of one tweet, batched throughput, RSS.
 * Texts are test-window tweets of the shared corpus (streamed: RSS is the recommender's own).
 *
 *   npm run build && node dist/bench/recommend.js [MODEL_DIR]
 */
import { toExample } from "../src/data/examples.js";
import { openTweets } from "../src/data/readers.js";
import { parseSplitDate } from "../src/eval/dataset.js";
import { Recommender } from "../src/recommend/recommender.js";
import { corpusPath, SPLIT_DATE } from "./common.js";

const dir = process.argv[2] ?? "models/default";
// Streamed, keeping only the texts used, so that RSS is the recommender's and not the corpus's.
const texts: string[] = [];
const split = parseSplitDate(SPLIT_DATE);
for await (const tweet of (await openTweets(corpusPath())).rows) {
  if (tweet.createdAt === undefined || tweet.createdAt < split) continue;
  const { query } = toExample(tweet);
  if (query.length > 0) texts.push(query);
  if (texts.length === 2000) break;
}

const loadStart = performance.now();
const recommender = await Recommender.load(dir);
const loadMs = performance.now() - loadStart;

for (const text of texts.slice(0, 50)) await recommender.recommend(text, { k: 10 });
const single: number[] = [];
for (const text of texts.slice(0, 500)) {
  const t = performance.now();
  await recommender.recommend(text, { k: 10 });
  single.push(performance.now() - t);
}
single.sort((a, b) => a - b);
const quantile = (q: number) => single[Math.floor(q * (single.length - 1))]!.toFixed(2);

const batchStart = performance.now();
await recommender.recommend(texts, { k: 10 });
const perSecond = texts.length / ((performance.now() - batchStart) / 1000);

console.log(`| model | load ms | one tweet p50 ms | p90 ms | batched tweets/s | RSS MB |`);
console.log(`|---|---:|---:|---:|---:|---:|`);
console.log(`| ${dir} | ${loadMs.toFixed(0)} | ${quantile(0.5)} | ${quantile(0.9)} | ${perSecond.toFixed(0)} | ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} |`);
await recommender.close();
