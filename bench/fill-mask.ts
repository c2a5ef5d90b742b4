/**
 * One-tweet latency of `Recommender` (the int8 and fp32 hashtag graphs) against transformers.js's
 * stock fill-mask pipeline on the same weights (the full masked-LM graph `onnx/model.onnx`, fp32),
 * side by side in one run: the texts are test-window tweets with `[MASK]` at the end, 50 at a
 * time by each system in turn, all on 2 threads. Needs a full export (`hashtag-rec train … --export DIR`;
 * models/default ships only the int8 graph).
 *
 *   npm run build && node dist/bench/fill-mask.js MODEL_DIR
 */
import { basename, dirname, resolve } from "node:path";
import { env, pipeline } from "@huggingface/transformers";
import { Recommender } from "../src/recommend/recommender.js";
import { loadTimeSplit } from "./common.js";

const dir = resolve(process.argv[2] ?? "");
if (!process.argv[2]) {
  console.error("usage: node dist/bench/fill-mask.js MODEL_DIR (a full export with onnx/model.onnx)");
  process.exit(2);
}
const THREADS = 2;
const BLOCK = 50;
const { test } = await loadTimeSplit();
const texts = test.slice(0, 1000).map((e) => e.query).filter((q) => q.length > 0).slice(0, 400);

env.allowRemoteModels = false;
env.localModelPath = dirname(dir) + "/";
const fillMask = await pipeline("fill-mask", basename(dir), {
  dtype: "fp32",
  device: "cpu",
  session_options: { intraOpNumThreads: THREADS, interOpNumThreads: 1 },
});
const int8 = await Recommender.load(dir, { threads: THREADS });
const fp32 = await Recommender.load(dir, { threads: THREADS, graph: "onnx/recommender.onnx" });

const systems: [string, (text: string) => Promise<unknown>][] = [
  ["Recommender, int8 hashtag graph", (text) => int8.recommend(text, { k: 10 })],
  ["Recommender, fp32 hashtag graph", (text) => fp32.recommend(text, { k: 10 })],
  ["transformers.js fill-mask pipeline, fp32 full graph", (text) => fillMask(`${text} [MASK]`, { top_k: 10 })],
];
const times = systems.map(() => [] as number[]);
for (const text of texts.slice(0, 30)) for (const [, run] of systems) await run(text); // warm-up
// Blocks of BLOCK texts per system in turn: each runs with its own weights in the caches, as a
// server would, and the machine's noise is shared out by the rotation.
for (let start = 0; start < texts.length; start += BLOCK) {
  for (const [i, [, run]] of systems.entries()) {
    for (const text of texts.slice(start, start + BLOCK)) {
      const started = performance.now();
      await run(text);
      times[i]!.push(performance.now() - started);
    }
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const baseline = median(times[2]!);
console.log(`${texts.length} test-window tweets, one at a time, ${THREADS} threads, ${dir}\n`);
console.log("| system | p50 ms | transformers.js p50 ÷ this p50 |");
console.log("|---|---:|---:|");
for (const [i, [name]] of systems.entries()) console.log(`| ${name} | ${median(times[i]!).toFixed(2)} | ${(baseline / median(times[i]!)).toFixed(1)}× |`);
await int8.close();
await fp32.close();
await fillMask.dispose();
