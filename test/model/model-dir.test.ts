import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadModelDirectory } from "../../src/model/model-dir.js";

const DEFAULT = resolve("models/default");
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/**
 * models/default's serving files, linked, with `trainConfig` as train_config.json (none when
 * undefined) and its config.json with `ngram_head.refit` set to `refit`.
 */
function modelWith(trainConfig: string | undefined, refit = false): string {
  const dir = mkdtempSync(join(tmpdir(), "model-dir-"));
  made.push(dir);
  for (const file of ["hashtags.json", "tokenizer.json"]) symlinkSync(join(DEFAULT, file), join(dir, file));
  const config = JSON.parse(readFileSync(join(DEFAULT, "config.json"), "utf8")) as { ngram_head: { refit: boolean } };
  config.ngram_head.refit = refit;
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  mkdirSync(join(dir, "onnx"));
  symlinkSync(join(DEFAULT, "onnx", "recommender_int8.onnx"), join(dir, "onnx", "recommender_int8.onnx"));
  if (trainConfig !== undefined) writeFileSync(join(dir, "train_config.json"), trainConfig);
  return dir;
}

describe("loadModelDirectory: where the model's training data ends (trainedBefore)", () => {
  it.each([
    ["split_time, when validation days were held out", { data_meta: { split_time: "2023-05-09T23:58:14Z", last_time: "2023-05-10T23:58:14Z" } }, Date.parse("2023-05-09T23:58:14Z")],
    ["just after last_time, without a validation split", { data_meta: { split_time: null, last_time: "2023-05-10T23:58:14Z" } }, Date.parse("2023-05-10T23:58:14Z") + 1],
    ["nothing, without data_meta", { options: {} }, undefined],
    ["nothing, for a date that does not parse", { data_meta: { split_time: "soon" } }, undefined],
  ])("reads %s", async (_name, config, expected) => {
    expect((await loadModelDirectory(modelWith(JSON.stringify(config)))).trainedBefore).toBe(expected);
  });

  it("reads just after last_time when the n-gram head was refit on the validation days", async () => {
    const trainConfig = JSON.stringify({ data_meta: { split_time: "2023-05-09T23:58:14Z", last_time: "2023-05-10T23:58:14Z" } });
    expect((await loadModelDirectory(modelWith(trainConfig, true))).trainedBefore).toBe(Date.parse("2023-05-10T23:58:14Z") + 1);
    // Without last_time nothing says how far the refit read: unknown, not split_time.
    const noLast = JSON.stringify({ data_meta: { split_time: "2023-05-09T23:58:14Z" } });
    expect((await loadModelDirectory(modelWith(noLast, true))).trainedBefore).toBeUndefined();
  });

  it("serves a model without train_config.json, or with one that is not JSON (serving does not need it)", async () => {
    expect((await loadModelDirectory(modelWith(undefined))).trainedBefore).toBeUndefined();
    expect((await loadModelDirectory(modelWith("{ not json"))).trainedBefore).toBeUndefined();
  });

  it("reads the shipped model's: its masked-LM held out the last 6 hours of tweets-2023, its refit head read them too", async () => {
    expect((await loadModelDirectory(DEFAULT)).trainedBefore).toBe(Date.parse("2023-05-17T23:59:57Z") + 1);
  });
});

describe("loadModelDirectory: hashtags.json", () => {
  it("rejects a key listed twice, naming it (each hashtag token is read by its key)", async () => {
    const dir = modelWith(undefined);
    const hashtags = JSON.parse(readFileSync(join(DEFAULT, "hashtags.json"), "utf8")) as { key: string }[];
    hashtags[9] = { ...hashtags[9]!, key: hashtags[3]!.key };
    rmSync(join(dir, "hashtags.json"));
    writeFileSync(join(dir, "hashtags.json"), JSON.stringify(hashtags));
    await expect(loadModelDirectory(dir)).rejects.toMatchObject({ code: "MODEL_INVALID", message: expect.stringContaining(`lists the key '${hashtags[3]!.key}' twice (again at entry 9)`) });
  });
});

describe("loadModelDirectory: fingerprint", () => {
  it("is the graph's SHA-256, 16 hex digits: the same for the same graph, another for another", async () => {
    const shipped = await loadModelDirectory(DEFAULT);
    const graph = readFileSync(join(DEFAULT, "onnx", "recommender_int8.onnx"));
    expect(shipped.fingerprint).toBe(createHash("sha256").update(graph).digest("hex").slice(0, 16));
    expect((await loadModelDirectory(modelWith(undefined))).fingerprint).toBe(shipped.fingerprint);
    const other = modelWith(undefined);
    rmSync(join(other, "onnx", "recommender_int8.onnx"));
    writeFileSync(join(other, "onnx", "recommender_int8.onnx"), Buffer.concat([graph, Buffer.from([0])]));
    expect((await loadModelDirectory(other)).fingerprint).not.toBe(shipped.fingerprint);
  });
});
