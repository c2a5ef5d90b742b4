/**
 * Quality of every baseline on the shared corpus, split by time (train before 2023-05-11, test
 * from it), static and online, with the top-1,000 and the ≥2-use vocabularies. The online
 * recent-pop half-life is chosen on a validation window inside the training data
 * (train before 2023-05-08, validate to 2023-05-11), never on the test window.
 *
 *   npm run build && node dist/bench/quality.js [--quick]
 */
import { BASELINE_NAMES, createBaseline } from "../src/eval/baselines/index.js";
import type { VocabularySize } from "../src/eval/baselines/corpus.js";
import { evaluate } from "../src/eval/harness.js";
import type { Metrics } from "../src/eval/metrics.js";
import { fmt, loadTimeSplit, SPLIT_DATE, validationSplit } from "./common.js";

const HALF_LIVES_HOURS = [1, 3, 6, 12, 24, 48, 96];
const quick = process.argv.includes("--quick");

const { train, test } = await loadTimeSplit();
console.error(`train ${train.length} tweets before ${SPLIT_DATE}, test ${test.length} tweets`);

async function tuneHalfLife(vocabularySize: VocabularySize): Promise<number> {
  const [fitPart, validation] = validationSplit(train);
  let best = { hours: HALF_LIVES_HOURS[0]!, hit5: -1 };
  for (const hours of HALF_LIVES_HOURS) {
    const ranker = createBaseline("recent-pop", fitPart!, { vocabularySize, online: true, halfLifeHours: hours });
    const { hit5 } = await evaluate(ranker, validation!, { online: true });
    console.error(`  validation recent-pop half-life ${hours} h (${vocabularySize}): hit5 ${fmt(hit5)}`);
    if (hit5 > best.hit5) best = { hours, hit5 };
  }
  return best.hours;
}

const rows: string[] = [];
for (const vocabularySize of [1000, "all"] as VocabularySize[]) {
  const halfLifeHours = await tuneHalfLife(vocabularySize);
  for (const online of [false, true]) {
    for (const name of BASELINE_NAMES) {
      if (quick && (name === "knn" || name === "centroid") && online) continue;
      const started = performance.now();
      const ranker = createBaseline(name, train, { vocabularySize, online, halfLifeHours });
      const m: Metrics = await evaluate(ranker, test, { online });
      const seconds = (performance.now() - started) / 1000;
      const label = name === "recent-pop" && online ? `recent-pop (half-life ${halfLifeHours} h)` : name;
      const row = `| ${vocabularySize === "all" ? "≥2 uses" : "top-1,000"} | ${online ? "online" : "static"} | ${label} | ${m.n} | ${fmt(m.hit1)} | ${fmt(m.hit5)} | ${fmt(m.recall5)} | ${fmt(m.mrr10)} | ${fmt(m.coverage)} | ${seconds.toFixed(0)} |`;
      console.error(row);
      rows.push(row);
    }
  }
}
console.log("| hashtags | mode | system | n | hit@1 | hit@5 | recall@5 | MRR@10 | coverage | seconds |");
console.log("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
for (const row of rows) console.log(row);
