/**
 * Evaluation throughput of each baseline on the time split (top-1,000 hashtags, static and
 * online): fit time, evaluation time and test tweets per second, one run each on this machine.
 *
 *   npm run build && node dist/bench/speed.js
 */
import { BASELINE_NAMES, createBaseline } from "../src/eval/baselines/index.js";
import { evaluate } from "../src/eval/harness.js";
import { loadTimeSplit } from "./common.js";

const { train, test } = await loadTimeSplit();
console.log(`| system | mode | fit s | eval s | tweets/s | RSS MB |`);
console.log(`|---|---|---:|---:|---:|---:|`);
for (const online of [false, true]) {
  for (const name of BASELINE_NAMES) {
    const started = performance.now();
    const ranker = createBaseline(name, train, { vocabularySize: 1000, online });
    const fitted = performance.now();
    const m = await evaluate(ranker, test, { online });
    const done = performance.now();
    const seconds = (done - fitted) / 1000;
    const rss = process.memoryUsage().rss / 2 ** 20;
    console.log(
      `| ${name} | ${online ? "online" : "static"} | ${((fitted - started) / 1000).toFixed(1)} | ${seconds.toFixed(1)} | ${((m.n + m.skipped) / seconds).toFixed(0)} | ${rss.toFixed(0)} |`,
    );
  }
}
