import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPython } from "../../src/cli/python.js";
import { softmaxRows } from "../../src/model/softmax.js";
import { ModelRanker } from "../../src/eval/model-ranker.js";
import { Recommender } from "../../src/recommend/recommender.js";
import { FIXTURES, runCli } from "../cli/cli.js";

// prepare a fixture corpus → train a tiny model for a few steps on CPU → export → load in Node.
const dir = mkdtempSync(join(tmpdir(), "hashtag-rec-e2e-"));
const data = join(dir, "data");
const run = join(dir, "run");
const modelDir = join(dir, "model");
let recommender: Recommender;
let done: { first_loss: number; final_loss: number };
let ngramDone: { blend_weight: number; best_epoch: number };

beforeAll(() => {
  const prepared = runCli(["prepare", "--data", join(FIXTURES, "tiny-tweets.jsonl"), "--out", data, "--hashtags", "all", "--val-days", "1", "--vocab-size", "120"]);
  expect(prepared.code, prepared.stderr).toBe(0);
  const trained = runCli(
    ["train", "--data", data, "--out", run, "--export", modelDir, "--preset", "tiny", "--max-steps", "40", "--batch-size", "16",
      "--learning-rate", "3e-3", "--warmup-steps", "5", "--eval-interval", "0", "--log-interval", "5", "--seed", "7",
      "--ngram-epochs", "2", "--ngram-buckets", "1000", "--ngram-dim", "8"],
    { timeout: 300_000 },
  );
  expect(trained.code, trained.stderr).toBe(0);
  const events = trained.stdout.trim().split("\n").map((l) => JSON.parse(l) as { event: string });
  done = events.find((e) => e.event === "done") as unknown as typeof done;
  ngramDone = events.find((e) => e.event === "ngram") as unknown as typeof ngramDone;
}, 300_000);

afterAll(async () => {
  await recommender?.close();
});

describe("prepare → train → export → Recommender", () => {
  it("the loss went down", () => {
    expect(done.final_loss).toBeLessThan(done.first_loss);
  });

  it("trains the n-gram head after the masked-LM and exports it into the recommender graph", () => {
    expect(ngramDone.best_epoch).toBeGreaterThanOrEqual(1);
    const config = JSON.parse(readFileSync(join(modelDir, "config.json"), "utf8")) as { ngram_head: Record<string, number> };
    expect(config.ngram_head).toMatchObject({ buckets: 1000, dim: 8, blend_weight: ngramDone.blend_weight, refit: true });
    expect(existsSync(join(modelDir, "ngram.safetensors"))).toBe(true);
  });

  it("--no-ngram-refit keeps the head's validation rows held out; --ngram-prior-weight reaches the head", () => {
    const kept = join(dir, "model-kept");
    const trained = runCli(
      ["train", "--data", data, "--out", join(dir, "run-kept"), "--export", kept, "--preset", "tiny", "--max-steps", "2", "--batch-size", "16",
        "--eval-interval", "0", "--seed", "7", "--ngram-epochs", "1", "--ngram-buckets", "1000", "--ngram-dim", "8", "--no-ngram-refit", "--ngram-prior-weight", "0.7"],
      { timeout: 300_000 },
    );
    expect(trained.code, trained.stderr).toBe(0);
    const ngram = trained.stdout.trim().split("\n").map((l) => JSON.parse(l) as { event: string; refit?: boolean }).find((e) => e.event === "ngram");
    expect(ngram?.refit).toBe(false);
    const config = JSON.parse(readFileSync(join(kept, "config.json"), "utf8")) as { ngram_head: { refit: boolean; prior_weight: number } };
    expect(config.ngram_head).toMatchObject({ refit: false, prior_weight: 0.7 }); // off the grid: only the flag gives it
  }, 300_000);

  it("refuses bad n-gram options before anything runs", () => {
    const bad = runCli(["train", "--data", data, "--out", join(dir, "never"), "--ngram-epochs", "-1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("hashtag-rec train: --ngram-epochs must be an integer >= 0, got '-1' [INVALID_ARGUMENT]");
    for (const value of ["lots", "0x1", "-0.5", "2.5"]) {
      const badPrior = runCli(["train", "--data", data, "--out", join(dir, "never"), "--ngram-prior-weight", value]);
      expect(badPrior.code).toBe(2);
      expect(badPrior.stderr).toContain(`--ngram-prior-weight must be a number from 0 to 2, got '${value}'`);
    }
    expect(existsSync(join(dir, "never"))).toBe(false);
  });

  it("recommends hashtags from the fixture vocabulary, none already in the text", async () => {
    recommender = await Recommender.load(modelDir);
    const keys = new Set(recommender.hashtags.map((h) => h.key));
    const suggestions = await recommender.recommend("hockey game tonight goal #Leafs", { k: 3 });
    expect(suggestions).toHaveLength(3);
    for (const s of suggestions) {
      expect(keys.has(s.key)).toBe(true);
      expect(s.key).not.toBe("leafs");
      expect(s.score).toBeGreaterThan(0);
      expect(s.score).toBeLessThanOrEqual(1);
    }
    const batch = await recommender.recommend(["cooking dish judges", "king charles crown"], { k: 2 });
    expect(batch).toHaveLength(2);
    expect(batch[0]).toHaveLength(2);
  });

  it("puts the [MASK] at a given position and rejects a bad one", async () => {
    const text = "the judges loved the dish";
    expect(await recommender.recommend(text, { k: 1, maskAt: 4 })).toHaveLength(1);
    await expect(recommender.recommend(text, { maskAt: 999 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(recommender.recommend(text, { k: 0 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("exports the softmax of the hashtag logits as a graph output, equal to the fallback for older graphs", async () => {
    const session = await ort.InferenceSession.create(join(modelDir, "onnx", "recommender_int8.onnx"));
    const [cls, sep, mask] = [2, 3, recommender.model.config.mask_token_id]; // a trained tokenizer's [CLS] and [SEP]
    const ids = BigInt64Array.from([cls, 10, 11, mask, sep, cls, mask, 12, 13, sep].map(BigInt));
    const out = await session.run({ input_ids: new ort.Tensor("int64", ids, [2, 5]), attention_mask: new ort.Tensor("int64", new BigInt64Array(10).fill(1n), [2, 5]) });
    const size = recommender.hashtags.length;
    const probabilities = out.hashtag_probabilities!.data as Float32Array;
    const fallback = softmaxRows(out.hashtag_logits!.data as Float32Array, 2, size);
    expect(probabilities).toHaveLength(2 * size);
    for (let i = 0; i < 2 * size; i++) expect(Math.abs(probabilities[i]! - fallback[i]!)).toBeLessThan(1e-6 + 1e-5 * probabilities[i]!);
    expect(fallback.subarray(size).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    await session.release();
  });

  it("serves a graph exported before hashtag_probabilities existed, with the same scores", async () => {
    const legacy = join(dir, "legacy-model");
    cpSync(modelDir, legacy, { recursive: true });
    const graph = join(legacy, "onnx", "recommender_int8.onnx");
    const strip = "import onnx, sys; m = onnx.load(sys.argv[1]); keep = [o for o in m.graph.output if o.name != 'hashtag_probabilities']; " +
      "del m.graph.output[:]; m.graph.output.extend(keep); onnx.save(m, sys.argv[1])";
    const stripped = spawnSync(findPython(), ["-c", strip, graph], { encoding: "utf8" });
    expect(stripped.status, stripped.stderr).toBe(0);
    const old = await Recommender.load(legacy);
    const drafts = [{ text: "hockey game tonight goal" }, { text: "cooking dish judges" }];
    const [now, before] = [await recommender.score(drafts), await old.score(drafts)];
    for (const [row, { probabilities }] of now.entries()) {
      const fallback = before[row]!.probabilities;
      for (let i = 0; i < probabilities.length; i++) expect(Math.abs(probabilities[i]! - fallback[i]!)).toBeLessThan(1e-6 + 1e-5 * probabilities[i]!);
    }
    await old.close();
  });

  it("a broken model directory names the missing file", async () => {
    await expect(Recommender.load(data)).rejects.toThrow(/config\.json is missing/u);
    await expect(Recommender.load(join(dir, "nowhere"))).rejects.toMatchObject({ code: "MODEL_INVALID" });
  });

  it("eval --model scores it with the fixed protocol, and warns when the test tweets are ones it trained on", () => {
    const { code, stdout, stderr } = runCli(["eval", "--data", join(FIXTURES, "tiny-tweets.jsonl"), "--model", modelDir, "--json"]);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, number | string>;
    expect(result).toMatchObject({ system: "model", n: 32 });
    const meta = JSON.parse(readFileSync(join(data, "meta.json"), "utf8")) as { split_time: string; last_time: string };
    // The n-gram head was trained again on the validation rows: the model has read every row.
    expect(recommender.model.trainedBefore).toBe(Date.parse(meta.last_time) + 1);
    const through = new Date(Date.parse(meta.last_time) + 1).toISOString();
    expect(stderr).toContain(`trained on tweets from before ${through}; 32 of the 32 test tweets are from before then`);
    // Without that refit, the validation days (from split_time) are held out: a test set from there on draws no warning.
    const heldOutModel = join(dir, "model-no-refit");
    cpSync(modelDir, heldOutModel, { recursive: true });
    const config = JSON.parse(readFileSync(join(heldOutModel, "config.json"), "utf8")) as { ngram_head: { refit: boolean } };
    expect(config.ngram_head.refit).toBe(true);
    config.ngram_head.refit = false;
    writeFileSync(join(heldOutModel, "config.json"), JSON.stringify(config));
    const heldOut = runCli(["eval", "--data", join(FIXTURES, "tiny-tweets.jsonl"), "--split", meta.split_time, "--model", heldOutModel, "--json"]);
    expect(heldOut.code, heldOut.stderr).toBe(0);
    expect(heldOut.stderr).not.toMatch(/not held out/u);
    const seenByHead = runCli(["eval", "--data", join(FIXTURES, "tiny-tweets.jsonl"), "--split", meta.split_time, "--model", modelDir, "--json"]);
    expect(seenByHead.stderr).toMatch(/not held out/u);
  });

  it("eval --model --hashtags K limits the model to the baselines' K hashtags", async () => {
    const [first, second] = recommender.hashtags.map((h) => h.key);
    const limited = new ModelRanker(recommender, "model", (key) => key === first);
    expect(await limited.rank([{ text: "cooking dish judges", time: 0 }], 5)).toEqual([[first]]);
    expect([limited.isCandidate(first!), limited.isCandidate(second!)]).toEqual([true, false]);

    const splitTime = (JSON.parse(readFileSync(join(data, "meta.json"), "utf8")) as { split_time: string }).split_time;
    const evalModel = (...extra: string[]) => {
      const { code, stdout, stderr } = runCli(["eval", "--data", join(FIXTURES, "tiny-tweets.jsonl"), "--split", splitTime, "--model", modelDir, "--json", ...extra]);
      expect(code, stderr).toBe(0);
      return JSON.parse(stdout.trim().split("\n").pop()!) as { hashtags: number; coverage: number };
    };
    const [all, one] = [evalModel(), evalModel("--hashtags", "1")];
    expect(all.hashtags).toBe(recommender.hashtags.length);
    expect(one.hashtags).toBe(1); // the fixture's most used hashtag before the split is one of the model's
    expect(one.coverage).toBeLessThan(all.coverage);
  });
});
