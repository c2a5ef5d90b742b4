import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, runCli } from "./cli.js";

const corpus = join(FIXTURES, "prepare-tweets.jsonl");
const temp = () => mkdtempSync(join(tmpdir(), "hashtag-rec-prepare-"));

describe("hashtag-rec prepare (end to end, built CLI)", () => {
  it("writes the data directory, a summary on stderr and one JSON line on stdout", () => {
    const out = temp();
    const { code, stdout, stderr } = runCli(["prepare", "--data", corpus, "--out", out, "--hashtags", "all", "--max-length", "16"]);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, unknown>;
    expect(summary).toMatchObject({ out, n_train: 7, n_val: 4, num_hashtags: 4 });
    expect(stderr).toContain("read 14 rows · 2 malformed rows skipped (line 3: bad JSON; line 7: missing text)");
    expect(stderr).toContain("dropped 1 empty queries · 1 without a word · 1 duplicates");
    expect(stderr).toMatch(/kept 11: train 7 · val 4 \(from 2023-05-04T12:00:00.000Z\) · 1 without a time/u);
    expect(stderr).toMatch(/truncated at 16 tokens: \d+ rows/u);
    const meta = JSON.parse(readFileSync(join(out, "meta.json"), "utf8")) as Record<string, number>;
    expect(meta.hashtag_token_offset! + meta.num_hashtags!).toBe(meta.vocab_size);
    expect(readFileSync(join(out, "train.bin")).length).toBe(7 * 16 * 2);
  });

  it.each([
    [["prepare"], /--data FILE is required/u, 2],
    [["prepare", "--data", corpus], /--out DIR is required/u, 2],
    [["prepare", "--data", corpus, "--out", "x", "--hashtags", "0"], /--hashtags must be a positive integer or 'all'/u, 2],
    [["prepare", "--data", corpus, "--out", "x", "--val-days=-1"], /--val-days must be a number ≥ 0/u, 2],
    [["prepare", "--data", corpus, "--out", "x", "--max-length", "two"], /--max-length must be a positive integer/u, 2],
    [["prepare", "--data", corpus, "--out", "x", "--vocab-size", "99999"], /--vocab-size must be an integer from 7 to 30006/u, 2],
    [["prepare", "--data", "missing.jsonl", "--out", "x"], /cannot read 'missing.jsonl'/u, 3],
    [["prepare", "--data", corpus, "--out", "x", "--tokenizer", "no-such-dir"], /--tokenizer 'no-such-dir': no such directory/u, 3],
    [["prepare", "--data", join(FIXTURES, "tiny-tweets.jsonl"), "--out", "OUT", "--val-days", "30"], /no training rows/u, 4],
    [["prepare", "--bogus"], /Unknown option '--bogus'/u, 2],
  ])("rejects %j with a message and exit code", (args, message, exitCode) => {
    const out = temp();
    const { code, stderr } = runCli(args.map((a) => (a === "OUT" ? out : a === "x" ? join(out, "x") : a)));
    expect(stderr).toMatch(message);
    expect(code).toBe(exitCode);
  });

  it("--help lists the options", () => {
    const { code, stdout } = runCli(["prepare", "--help"]);
    expect(code).toBe(0);
    for (const flag of ["--hashtags", "--val-days", "--max-length", "--vocab-size", "--tokenizer", "--blocklist", "--text-field"]) expect(stdout).toContain(flag);
  });
});
