import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Recommender } from "../../src/recommend/recommender.js";
import { FIXTURES, runCli } from "../cli/cli.js";

// prepare a fixture corpus → train a tiny model for a few steps on CPU → export → load in Node.
const dir = mkdtempSync(join(tmpdir(), "hashtag-rec-e2e-"));
const data = join(dir, "data");
const run = join(dir, "run");
const modelDir = join(dir, "model");
let recommender: Recommender;
let done: { first_loss: number; final_loss: number };

beforeAll(() => {
  const prepared = runCli(["prepare", "--data", join(FIXTURES, "tiny-tweets.jsonl"), "--out", data, "--hashtags", "all", "--val-days", "1", "--vocab-size", "120"]);
  expect(prepared.code, prepared.stderr).toBe(0);
  const trained = runCli(
    ["train", "--data", data, "--out", run, "--export", modelDir, "--preset", "tiny", "--max-steps", "40", "--batch-size", "16",
      "--learning-rate", "3e-3", "--warmup-steps", "5", "--eval-interval", "0", "--log-interval", "5", "--seed", "7"],
    { timeout: 300_000 },
  );
  expect(trained.code, trained.stderr).toBe(0);
  done = JSON.parse(trained.stdout.trim().split("\n").filter((l) => l.includes('"done"')).pop()!) as typeof done;
}, 300_000);

afterAll(async () => {
  await recommender?.close();
});

describe("prepare → train → export → Recommender", () => {
  it("the loss went down", () => {
    expect(done.final_loss).toBeLessThan(done.first_loss);
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

  it("a broken model directory names the missing file", async () => {
    await expect(Recommender.load(data)).rejects.toThrow(/config\.json is missing/u);
    await expect(Recommender.load(join(dir, "nowhere"))).rejects.toMatchObject({ code: "MODEL_INVALID" });
  });

  it("eval --model scores it with the fixed protocol", () => {
    const { code, stdout, stderr } = runCli(["eval", "--data", join(FIXTURES, "tiny-tweets.jsonl"), "--model", modelDir, "--json"]);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, number | string>;
    expect(result).toMatchObject({ system: "model", n: 32 });
  });
});
