// Optional check used by test_export.py: run the exported graphs with onnxruntime-node (from the repo's
// node_modules) on a parity fixture and print the differences to PyTorch as JSON.
//   node trainer/tests/ort_parity.mjs REPO_ROOT MODEL_DIR FIXTURE.json
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const [root, dir, fixturePath] = process.argv.slice(2);
const ort = createRequire(path.join(root, 'package.json'))('onnxruntime-node');
const fx = JSON.parse(fs.readFileSync(fixturePath, 'utf8'));
const B = fx.input_ids.length, L = fx.input_ids[0].length;
const int64 = (rows) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [B, L]);
const feeds = { input_ids: int64(fx.input_ids), attention_mask: int64(fx.attention_mask) };
const maxDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const softmax = (row) => {
  const max = Math.max(...row), exps = row.map((v) => Math.exp(v - max)), sum = exps.reduce((x, y) => x + y, 0);
  return exps.map((e) => e / sum);
};
const maxExcess = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]) - 1e-5 * Math.abs(b[i])), 0);
const top5 = (data, row, n) => Array.from(data.slice(row * n, (row + 1) * n)).map((v, i) => [v, i])
  .sort((x, y) => y[0] - x[0]).slice(0, 5).map((x) => x[1]);

const result = {};
for (const name of ['recommender', 'recommender_int8']) {
  const session = await ort.InferenceSession.create(path.join(dir, 'onnx', `${name}.onnx`));
  const out = await session.run(feeds);
  result[name] = {
    inputs: session.inputNames, outputs: session.outputNames,
    dims: { hashtag_logits: out.hashtag_logits.dims, mask_hidden_state: out.mask_hidden_state.dims },
    hashtag_logits_diff: maxDiff(Array.from(out.hashtag_logits.data), fx.hashtag_logits.flat()),
    mask_hidden_state_diff: maxDiff(Array.from(out.mask_hidden_state.data), fx.mask_hidden_state.flat()),
    top5: fx.input_ids.map((_, b) => top5(out.hashtag_logits.data, b, fx.num_hashtags)),
    // against the softmax of the graph's own logits (the int8 graph's logits differ from PyTorch's):
    // the largest |difference| beyond a relative 1e-5 of the probability
    hashtag_probabilities_excess: maxExcess(Array.from(out.hashtag_probabilities.data),
      fx.input_ids.flatMap((_, b) => softmax(Array.from(out.hashtag_logits.data.slice(b * fx.num_hashtags, (b + 1) * fx.num_hashtags))))),
  };
}
const full = await ort.InferenceSession.create(path.join(dir, 'onnx', 'model.onnx'));
const out = await full.run({ ...feeds, token_type_ids: int64(fx.token_type_ids) });
const p = fx.mask_positions[0], V = fx.vocab_size;
result.model = { inputs: full.inputNames, outputs: full.outputNames, dims: out.logits.dims,
  logits_diff: maxDiff(Array.from(out.logits.data.slice(p * V, (p + 1) * V)), fx.logits) };
console.log(JSON.stringify(result));
