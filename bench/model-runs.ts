/**
 * What sorting a batch by length buys the model run (bench/README.md "Speed and load"): 5,000 test-window
 * drafts in batches of 64, each batch run by ONNX Runtime (models/default's graph, one thread, as
 * each `serve --workers 2` worker runs it) either as one run padded to the batch's longest draft,
 * or sorted by length in runs of 16 (what `Recommender.score` does). The two alternate, three
 * rounds; prints µs a draft and token positions a draft.
 *
 *   npm run build && node dist/bench/model-runs.js
 */
import { join } from "node:path";
import { loadModelDirectory } from "../src/model/model-dir.js";
import { RecommenderSession } from "../src/model/session.js";
import { HashtagTokenizer } from "../src/tokenizer/hashtag-tokenizer.js";
import { loadTimeSplit } from "./common.js";

const BATCH = 64;
const RUN_ROWS = 16;
const model = await loadModelDirectory(join(process.cwd(), "models/default"));
const tokenizer = await HashtagTokenizer.fromFile(model.tokenizerPath, { maxLength: model.config.max_length });
const session = await RecommenderSession.create(model.graphPath, { threads: 1 });
const { test } = await loadTimeSplit();
const rows = test
  .filter((e) => e.query.trim().length > 0)
  .slice(0, 5000)
  .map((e) => tokenizer.encodeQuery(e.query).input_ids);

/** One run over `group`, padded to its longest; returns the token positions it ran. */
async function run(group: number[][]): Promise<number> {
  const length = Math.max(...group.map((ids) => ids.length));
  const inputIds = new BigInt64Array(group.length * length);
  const attentionMask = new BigInt64Array(group.length * length);
  group.forEach((ids, row) =>
    ids.forEach((id, col) => {
      inputIds[row * length + col] = BigInt(id);
      attentionMask[row * length + col] = 1n;
    }),
  );
  await session.run(inputIds, attentionMask, group.length, length);
  return group.length * length;
}

const modes = {
  "padded to the batch's longest": (batch: number[][]) => [batch],
  [`sorted, runs of ${RUN_ROWS}`]: (batch: number[][]) => {
    const sorted = [...batch].sort((a, b) => a.length - b.length);
    return Array.from({ length: Math.ceil(sorted.length / RUN_ROWS) }, (_, i) => sorted.slice(i * RUN_ROWS, (i + 1) * RUN_ROWS));
  },
};
console.log("| round | runs | µs a draft | token positions a draft |");
console.log("|---:|---|---:|---:|");
for (let round = 1; round <= 3; round++) {
  for (const [name, split] of Object.entries(modes)) {
    let positions = 0;
    let drafts = 0;
    const started = performance.now();
    for (let start = 0; start + BATCH <= rows.length; start += BATCH) {
      for (const group of split(rows.slice(start, start + BATCH))) positions += await run(group);
      drafts += BATCH;
    }
    const micros = ((performance.now() - started) * 1000) / drafts;
    console.log(`| ${round} | ${name} | ${micros.toFixed(1)} | ${(positions / drafts).toFixed(1)} |`);
  }
}
await session.release();
