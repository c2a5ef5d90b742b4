/**
 * `topK`'s two ways of taking a draft's best 50 (the ranking's `MODEL_CANDIDATES`) of the model's
 * 10,000 probabilities (bench/README.md "Speed and load"): selection by bucket (what the ranking uses) and
 * the binary heap (what it falls back to, forced here by a `skip` that skips nothing). On 2,000
 * test-window drafts scored by models/default; the two alternate, three rounds; prints µs a
 * draft, and checks that both give the same indices.
 *
 *   npm run build && node dist/bench/top-k.js
 */
import { MODEL_CANDIDATES } from "../src/recommend/candidate-ranker.js";
import { Recommender } from "../src/recommend/recommender.js";
import { topK } from "../src/recommend/top-k.js";
import { loadTimeSplit } from "./common.js";

const K = MODEL_CANDIDATES;
const REPEATS = 20;
const recommender = await Recommender.load("models/default", { threads: 1 });
const { test } = await loadTimeSplit();
const drafts = test.filter((e) => e.query.trim().length > 0).slice(0, 2000);
const probabilities = (await recommender.score(drafts.map((e) => ({ text: e.query, cleaned: true })))).map((s) => s.probabilities);
await recommender.close();

const ways = {
  bucket: (values: Float32Array) => topK(values, K),
  heap: (values: Float32Array) => topK(values, K, () => false),
};
for (const values of probabilities) {
  if (ways.bucket(values).join() !== ways.heap(values).join()) throw new Error("the two ways disagree");
}
console.log(`topK(${K}) of ${probabilities[0]!.length} probabilities, ${probabilities.length} drafts × ${REPEATS}, µs a draft:`);
for (let round = 1; round <= 3; round++) {
  const line: string[] = [];
  for (const [name, way] of Object.entries(ways)) {
    const started = performance.now();
    for (let r = 0; r < REPEATS; r++) for (const values of probabilities) way(values);
    line.push(`${name} ${(((performance.now() - started) * 1000) / (REPEATS * probabilities.length)).toFixed(1)}`);
  }
  console.log(`round ${round}: ${line.join(", ")}`);
}
