import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, runCli } from "./cli.js";

const corpus = join(FIXTURES, "tiny-tweets.jsonl");
const dir = mkdtempSync(join(tmpdir(), "hashtag-rec-cli-"));

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

describe("hashtag-rec eval (end to end on a fixture corpus)", () => {
  it("--json prints the metrics object as the last line", () => {
    const { code, stdout } = runCli(["eval", "--data", corpus, "--split", "2023-05-06", "--baseline", "knn", "--hashtags", "all", "--json"]);
    expect(code).toBe(0);
    const result = lastJson(stdout);
    for (const key of ["n", "skipped", "hit1", "hit5", "recall5", "mrr10", "coverage"]) expect(result).toHaveProperty(key);
    // 12 test tweets from 2023-05-06; Eurovision first appears then, so only 9 are coverable
    expect(result).toMatchObject({ system: "knn", n: 12, skipped: 0, coverage: 0.75, hit1: 0.75 });
  });

  it("reads --data from standard input with '-', the same as from the file; not both --train and --data", () => {
    const args = ["--split", "2023-05-06", "--baseline", "knn", "--hashtags", "all", "--json"];
    const piped = runCli(["eval", "--data", "-", ...args], { input: readFileSync(corpus) });
    expect(piped.code).toBe(0);
    expect(lastJson(piped.stdout)).toEqual({ ...lastJson(runCli(["eval", "--data", corpus, ...args]).stdout), fit_s: expect.any(Number), eval_s: expect.any(Number), tweets_per_s: expect.any(Number) });
    const both = runCli(["eval", "--data", "-", "--train", "-", "--baseline", "pop"], { input: "" });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--train and --data cannot both be '-'/);
  });

  it("online mode learns the new hashtag from the stream", () => {
    const { code, stdout } = runCli(["eval", "--data", corpus, "--split", "2023-05-06", "--baseline", "recent-pop", "--online", "--hashtags", "all", "--json"]);
    expect(code).toBe(0);
    const result = lastJson(stdout);
    expect(result.mode).toBe("online");
    expect(result.coverage as number).toBeGreaterThan(0.75);
  });

  it("prints a table and writes a self-contained HTML report for several systems", () => {
    const report = join(dir, "report.html");
    const train = join(dir, "train.jsonl");
    const test = join(dir, "test.csv");
    const rows = readFileSync(corpus, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { id: string; created_at: string; text: string });
    writeFileSync(train, rows.slice(0, 20).map((r) => JSON.stringify(r)).join("\n"));
    writeFileSync(test, "id,created_at,text\n" + rows.slice(20).map((r) => `${r.id},${r.created_at},"${r.text.replace(/"/gu, '""')}"`).join("\n"));
    const { code, stdout } = runCli(["eval", "--data", test, "--train", train, "--baseline", "all", "--hashtags", "3", "--report", report]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/system\s+n\s+skipped\s+hit1\s+hit5\s+recall5\s+mrr10\s+coverage/u);
    for (const name of ["pop", "recent-pop", "knn", "centroid"]) expect(stdout).toContain(name);
    const html = readFileSync(report, "utf8");
    expect(html).toContain("<svg");
    expect(html).toContain("<td>centroid</td>");
    expect(html).not.toMatch(/(src|href)="https?:/u);
  });

  it.each([
    [["eval"], /--data FILE is required/u, 2],
    [["eval", "--data", corpus, "--baseline", "knn"], /give --train FILE or --split DATE/u, 2],
    [["eval", "--data", corpus, "--baseline", "magic", "--split", "2023-05-06"], /unknown baseline 'magic'/u, 2],
    [["eval", "--data", corpus, "--baseline", "knn", "--split", "soon"], /--split must be a date/u, 2],
    [["eval", "--data", corpus, "--baseline", "knn", "--split", "2023-05-06", "--hashtags", "0"], /--hashtags must be a positive integer or 'all'/u, 2],
    [["eval", "--data", "missing.jsonl", "--baseline", "knn", "--split", "2023-05-06"], /cannot read 'missing.jsonl'/u, 3],
    [["eval", "--bogus"], /Unknown option '--bogus'/u, 2],
    [["frobnicate"], /unknown command 'frobnicate'/u, 2],
  ])("rejects %j with a message and exit code", (args, message, exitCode) => {
    const { code, stderr } = runCli(args);
    expect(stderr).toMatch(message);
    expect(code).toBe(exitCode);
  });

  it("--help describes the options", () => {
    const { code, stdout } = runCli(["eval", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("--online");
  });
});
