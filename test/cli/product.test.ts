import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_BLEND } from "../../src/recommend/blend.js";
import { SqliteTrendingStore } from "../../src/trending/sqlite-store.js";
import { DEFAULT_TREND_HALF_LIFE_HOURS } from "../../src/trending/store.js";
import { gzipSync } from "node:zlib";
import { corruptModel, exited, FIXTURES, killServers, ROOT, runCli, serve } from "./cli.js";

const tempDir = () => mkdtempSync(join(tmpdir(), "hashtag-rec-cli-"));

afterEach(killServers);
describe("hashtag-rec ingest", () => {
  it("ingests a file with its times, and skips it the second time", () => {
    const store = join(tempDir(), "trends.db");
    const first = runCli(["ingest", `${FIXTURES}tiny-tweets.jsonl`, "--store", store]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/ingested 32 tweets \(\d+ hashtag uses\) into .*trends\.db; 0 already there/);
    const again = runCli(["ingest", `${FIXTURES}tiny-tweets.jsonl`, "--store", store]);
    expect(again.stdout).toMatch(/ingested 0 tweets \(0 hashtag uses\).*; 32 already there/);
  });

  it("skips and counts tweets dated more than a day ahead", async () => {
    const dir = tempDir();
    const file = join(dir, "ahead.jsonl");
    writeFileSync(file, [`{"id": "1", "created_at": "2023-05-11T10:00:00Z", "text": "now #ZzqNow"}`, `{"id": "2", "created_at": "2999-01-01T00:00:00Z", "text": "later #ZzqLater"}`].join("\n"));
    const store = join(dir, "trends.db");
    const result = runCli(["ingest", file, "--store", store]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ingested 1 tweets .*; 1 dated more than 24 h past now skipped/);
    const opened = SqliteTrendingStore.open(store, { halfLifeHours: DEFAULT_TREND_HALF_LIFE_HOURS });
    expect([...(await opened.lookup(["zzqnow", "zzqlater"])).keys()]).toEqual(["zzqnow"]);
    await opened.close();
  });

  it("reads standard input with '-': JSON lines, gzip or CSV, as a file would be", async () => {
    const jsonl = readFileSync(`${FIXTURES}tiny-tweets.jsonl`);
    for (const input of [jsonl, gzipSync(jsonl)]) {
      const result = runCli(["ingest", "-", "--store", join(tempDir(), "trends.db")], { input });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/ingested 32 tweets \(\d+ hashtag uses\)/);
    }
    const store = join(tempDir(), "trends.db");
    const csv = runCli(["ingest", "-", "--store", store], { input: 'id,created_at,text\n1,2023-05-01T00:00:00Z,"from a pipe, #ZzqPiped"\n' });
    expect(csv.stdout).toMatch(/ingested 1 tweets \(1 hashtag uses\)/);
    const opened = SqliteTrendingStore.open(store, { halfLifeHours: DEFAULT_TREND_HALF_LIFE_HOURS });
    expect((await opened.lookup(["zzqpiped"])).get("zzqpiped")).toMatchObject({ display: "ZzqPiped", count: 1 });
    await opened.close();
    expect(runCli(["ingest", "-", "--store", join(tempDir(), "trends.db")], { input: "" }).stdout).toMatch(/ingested 0 tweets/);
  });

  describe("a live stream on standard input", () => {
    /** `ingest -` on a store of its own, with what it has written so far and its output. */
    const liveIngest = () => {
      const store = join(tempDir(), "trends.db");
      /** Resolves once ingest has opened its store, after which it reads standard input. */
      const started = async () => {
        while (!existsSync(store)) await sleep(50);
        await sleep(300);
      };
      const child = spawn(process.execPath, [`${ROOT}/bin/hashtag-rec.js`, "ingest", "-", "--store", store], { cwd: ROOT });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const count = async () => {
        const opened = SqliteTrendingStore.open(store, { halfLifeHours: DEFAULT_TREND_HALF_LIFE_HOURS });
        try {
          return (await opened.lookup(["zzqlive"])).get("zzqlive")?.count ?? 0;
        } finally {
          await opened.close();
        }
      };
      return { child, count, started, output: () => output };
    };
    const line = (id: string) => `${JSON.stringify({ id, text: `live #ZzqLive ${id}`, created_at: "2023-05-01T00:00:00Z" })}\n`;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    it("writes each tweet about a second after it comes, stdin still open, and what it has read on SIGTERM (exit 143)", async () => {
      const { child, count, output } = liveIngest();
      child.stdin.write(line("1"));
      // The batch is far from full: only the time limit (1 s) writes it, well before 3 s.
      let written = 0;
      for (let waited = 0; waited < 3000 && written === 0; waited += 100) {
        await sleep(100);
        written = await count().catch(() => 0);
      }
      expect(written).toBe(1);
      child.stdin.write(line("2"));
      await sleep(200);
      child.kill("SIGTERM");
      expect(await exited(child)).toBe(143);
      expect(await count()).toBe(2);
      expect(output()).toMatch(/ingested 2 tweets[\s\S]*stopped by SIGTERM/);
    });

    it("writes a batch a second after its first tweet, though more keep coming (a limit, not a pause)", async () => {
      const { child, count } = liveIngest();
      // A tweet every 300 ms for 2.4 s: a wait that restarted with each tweet would write none before the end.
      let writtenWhileComing = 0;
      for (let i = 0; i < 8; i++) {
        child.stdin.write(line(`${i}`));
        await sleep(300);
        if (i >= 5) writtenWhileComing = Math.max(writtenWhileComing, await count().catch(() => 0));
      }
      expect(writtenWhileComing).toBeGreaterThan(0);
      child.stdin.end();
      expect(await exited(child)).toBe(0);
      expect(await count()).toBe(8);
    });

    it("reads gzip whose first bytes come apart", async () => {
      const { child, count, started } = liveIngest();
      const gz = gzipSync(line("1") + line("2"));
      child.stdin.write(gz.subarray(0, 1));
      // Read alone: the reader must wait for the second byte to tell gzip.
      await started();
      child.stdin.end(gz.subarray(1));
      expect(await exited(child)).toBe(0);
      expect(await count()).toBe(2);
    });
  });

  it("names a missing file and a half-life the store was not made with", () => {
    const missing = runCli(["ingest", "/nonexistent/tweets.jsonl"]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/nonexistent\/tweets\.jsonl/);
    const store = join(tempDir(), "trends.db");
    runCli(["ingest", `${FIXTURES}tiny-tweets.jsonl`, "--store", store]);
    const other = runCli(["ingest", `${FIXTURES}tiny-tweets.jsonl`, "--store", store, "--half-life", "5"]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/half-life of 0.125 h, not 5 h/);
  });
});

describe("hashtag-rec suggest", () => {
  it("prints a table, or JSON, blending the model with the store's trends", () => {
    const store = join(tempDir(), "trends.db");
    runCli(["ingest", `${FIXTURES}tiny-tweets.jsonl`, "--store", store]);
    const table = runCli(["suggest", "Lest we forget, dawn service", "--store", store, "--k", "3"]);
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^hashtag\s+score\s+count\s+trend$/);
    expect(table.stdout.trim().split("\n")).toHaveLength(5);
    const json = runCli(["suggest", "Lest we forget, dawn service", "--store", store, "--k", "3", "--json", "--explain"]);
    const { suggestions } = JSON.parse(json.stdout);
    expect(suggestions).toHaveLength(3);
    for (const s of suggestions) {
      const parts = Object.values(s.explain.contributions) as number[];
      expect(parts.reduce((a, b) => a + b, 0)).toBeCloseTo(s.explain.logit, 9);
    }
    const modelOnly = runCli(["suggest", "Lest we forget, dawn service", "--store", store, "--json", "--weights", "model=1"]);
    expect(JSON.parse(modelOnly.stdout).suggestions.map((s: { key: string }) => s.key)).toContain("anzacday");
  });

  it("scales the model's weight by its coverage of the trending uses, and --full-weight-coverage 0 keeps it whole", () => {
    const dir = tempDir();
    const store = join(dir, "trends.db");
    writeFileSync(join(dir, "new.jsonl"), `${JSON.stringify({ id: "1", created_at: "2023-05-11T10:00:00Z", text: "new bakery on main street #Zzqfresh" })}\n`);
    expect(runCli(["ingest", join(dir, "new.jsonl"), "--store", store]).code).toBe(0);
    // Weights under which the model's confident pick (p ≈ 0.67) outranks one use of a new hashtag while its weight is whole.
    const weights = ["--weights", "model=0.6,trend=0.2,neighbours=1,burst=0.5,uses=0"];
    const first = (...flags: string[]) => JSON.parse(runCli(["suggest", "Lest we forget. Dawn service at the memorial", "--store", store, "--json", ...weights, ...flags]).stdout).suggestions[0].key;
    expect(first()).toBe("zzqfresh"); // the model knows none of the hashtags in use
    expect(first("--full-weight-coverage", "0")).toBe("anzacday");
    const table = runCli(["suggest", "Lest we forget. Dawn service at the memorial", "--store", store, "--explain"]);
    expect(table.stdout).toMatch(/the model knows 0% of the trending uses: its weight is scaled by 0\.00/);
    // Half the uses now go to a hashtag the model knows: whole weight by default, half with --full-weight-coverage 1.
    writeFileSync(join(dir, "known.jsonl"), `${JSON.stringify({ id: "2", created_at: "2023-05-11T10:00:00Z", text: "what a game #Leafs" })}\n`);
    expect(runCli(["ingest", join(dir, "known.jsonl"), "--store", store]).code).toBe(0);
    const explained = (...flags: string[]) => runCli(["suggest", "Lest we forget. Dawn service at the memorial", "--store", store, "--explain", ...flags]).stdout;
    expect(explained()).toMatch(/the model knows 50% of the trending uses\n/);
    expect(explained("--full-weight-coverage", "1")).toMatch(/the model knows 50% of the trending uses: its weight is scaled by 0\.50/);
  });

  it("completes a partial hashtag", () => {
    const store = join(tempDir(), "trends.db");
    runCli(["ingest", `${FIXTURES}tiny-tweets.jsonl`, "--store", store]);
    const { stdout } = runCli(["suggest", "dawn service #anz", "--store", store, "--json"]);
    const result = JSON.parse(stdout);
    expect(result.completing.prefix).toBe("anz");
    for (const s of result.suggestions) expect(s.key.startsWith("anz")).toBe(true);
  });

  it("rejects bad arguments with a message and exit code 2", () => {
    for (const [args, message] of [
      [["suggest"], /one TEXT argument/],
      [["suggest", "   "], /TEXT is empty/],
      [["suggest", "hi", "--k", "0"], /--k must be a positive integer/],
      [["suggest", "hi", "--weights", "model=x"], /--weights: 'model=x' needs a number/],
      [["suggest", "hi", "--weights", "popularity=1"], /unknown signal 'popularity'/],
      [["suggest", "hi", "--clock", "sundial"], /--clock must be 'wall' or 'data'/],
      [["suggest", "hi", "--full-weight-coverage", "1.5"], /--full-weight-coverage must be a number from 0 to 1, got '1.5'/],
      [["eval", "--data", "x.jsonl", "--baseline", "pop", "--split", "2023-05-11", "--full-weight-coverage", "half"], /--full-weight-coverage must be a number from 0 to 1, got 'half'/],
      [["serve", "--blend-learning-rate=-0.1"], /--blend-learning-rate must be a number of 0 or more, got '-0.1'/],
      [["eval", "--data", "x.jsonl", "--baseline", "pop", "--split", "2023-05-11", "--blend-learning-rate", "fast"], /--blend-learning-rate must be a number of 0 or more, got 'fast'/],
      [["suggest", "hi", "--cursor", "99", "--store", ":memory:"], /cursor must be an integer from 0 to 2/],
      [["serve", "--max-batch", "0"], /--max-batch must be a positive integer/],
      [["serve", "--batch-window=-1"], /--batch-window must be a number of ms ≥ 0/],
    ] as const) {
      const result = runCli([...args]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });

  it("names the missing file of a bad model directory (exit 5)", () => {
    const dir = tempDir();
    const result = runCli(["suggest", "hi", "--model", dir, "--store", ":memory:"]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/config\.json/);
  });
});

describe("hashtag-rec blend", () => {
  it("shows the weights the servers learned into the store, and --reset sends them back to where they started", async () => {
    const store = join(tempDir(), "trends.db");
    const { url } = await serve(["--store", store]);
    const post = (id: string, time: string) =>
      fetch(`${url}/v1/tweets`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ tweets: [{ id, text: "what a game tonight #Zzqgame", time }] }) });
    // After models/default's training data: the second tweet teaches (its hashtag was in use before it).
    expect((await post("1", "2024-01-10T12:00:00Z")).status).toBe(200);
    expect((await post("2", "2024-01-10T12:01:00Z")).status).toBe(200);
    const served = (await (await fetch(`${url}/v1/blend`)).json()) as { weights: Record<string, number>; lessons: number };
    expect(served.lessons).toBe(1);
    const shown = runCli(["blend", "--store", store, "--json"]);
    expect(shown.code).toBe(0);
    const name = expect.stringMatching(/^blend:model=0\.25,.*@[0-9a-f]{16}$/);
    expect(JSON.parse(shown.stdout)).toEqual({ name, weights: served.weights, initial: { ...DEFAULT_BLEND }, lessons: 1 });
    const table = runCli(["blend", "--store", store]);
    expect(table.stdout).toMatch(/^signal\s+learned\s+initial$/m);
    expect(table.stdout).toMatch(/learned from 1 tweet \(blend:.*@[0-9a-f]{16} in .*trends\.db\)/);

    const reset = runCli(["blend", "--store", store, "--reset", "--json"]);
    expect(JSON.parse(reset.stdout)).toEqual({ name, weights: { ...DEFAULT_BLEND }, initial: { ...DEFAULT_BLEND }, lessons: 0 });
    expect(await (await fetch(`${url}/v1/blend`)).json()).toMatchObject({ weights: { ...DEFAULT_BLEND }, lessons: 0 });
    // Another start keeps its own: nothing was learned from it, and a reset of it is refused (no server reads it).
    expect(runCli(["blend", "--store", store, "--weights", "model=1,trend=1"]).stdout).toMatch(/nothing learned yet/);
    const elsewhere = runCli(["blend", "--store", store, "--weights", "model=1,trend=1", "--reset"]);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/nothing is learned in '.*trends\.db' for these weights and this model.*give the servers' --model and --weights \[NOT_FOUND\]/);
  });

  it("has --help; names a missing store (exit 3), an unknown flag and a blend that does not learn (exit 2)", () => {
    const help = runCli(["blend", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--reset\s+forget what was learned/);
    const unknown = runCli(["blend", "--rest"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--rest'/);
    const missing = runCli(["blend", "--store", join(tempDir(), "none.db")]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/no trending store at '.*none\.db'.*\[FILE_NOT_FOUND\]/);
    const alone = runCli(["blend", "--weights", "model=1"]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/one signal does not learn/);
  });
});

describe("hashtag-rec serve", () => {
  it("serves, keeps an acknowledged ingest through kill -9", async () => {
    const store = join(tempDir(), "trends.db");
    const { child, url } = await serve(["--store", store]);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const page = await fetch(`${url}/`);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    const ack = await fetch(`${url}/v1/tweets`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tweets: [{ id: "t1", text: "acknowledged #SurvivesKill9", time: "2023-05-01T00:00:00Z" }] }),
    });
    expect(ack.status).toBe(200);
    child.kill("SIGKILL");
    await exited(child);
    const reopened = SqliteTrendingStore.open(store, { halfLifeHours: DEFAULT_TREND_HALF_LIFE_HOURS });
    expect((await reopened.lookup(["surviveskill9"])).get("surviveskill9")).toMatchObject({ display: "SurvivesKill9", count: 1 });
    await reopened.close();
  });

  it("finishes in-flight requests on SIGTERM, then exits 0", async () => {
    // A long batching window keeps the requests in flight (waiting for their model run) when SIGTERM comes.
    const { child, url } = await serve(["--store", join(tempDir(), "trends.db"), "--batch-window", "400"]);
    const inFlight = Array.from({ length: 8 }, (_, i) =>
      fetch(`${url}/v1/suggest`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: `draft ${i} about football` }) }),
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    child.kill("SIGTERM");
    const responses = await Promise.all(inFlight);
    expect(responses.map((r) => r.status)).toEqual(new Array(8).fill(200));
    for (const r of responses) expect(((await r.json()) as { suggestions: unknown[] }).suggestions).toHaveLength(5);
    expect(await exited(child)).toBe(0);
  });

  it("runs a full batch at once: --max-batch 1 answers without waiting out a long --batch-window", async () => {
    // A window far beyond the test's timeout: only a batch that is full at once can answer in time.
    const { url } = await serve(["--store", join(tempDir(), "trends.db"), "--batch-window", "600000", "--max-batch", "1"]);
    const response = await fetch(`${url}/v1/suggest`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "what a game tonight" }) });
    expect(response.status).toBe(200);
  });

  it("logs a line per request only with --log-requests", async () => {
    const lines = async (args: string[]) => {
      const { child, url, output } = await serve(["--store", ":memory:", "--log-level", "info", ...args]);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      child.kill("SIGTERM");
      await exited(child);
      return output();
    };
    const quiet = await lines([]);
    expect(quiet).toMatch(/Server listening at/);
    expect(quiet).not.toMatch(/request completed/);
    expect(await lines(["--log-requests"])).toMatch(/"url":"\/healthz".*"msg":"incoming request"[\s\S]*"statusCode":200.*"msg":"request completed"/);
  });

  it("fails at start-up on a corrupt model, naming the file", () => {
    const dir = corruptModel(tempDir());
    const result = runCli(["serve", "--model", dir, "--port", "0", "--store", ":memory:"]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/recommender_int8\.onnx/);
  });
});
