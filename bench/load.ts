/**
 * Load on the HTTP API: `hashtag-rec serve` (models/default, an SQLite store holding
 * the tweets before the split, `--clock data`) in its own processes, and wrk (Debian's `wrk`, one
 * thread: a C load generator, so that it takes little of the 2 cores) sending POST /v1/suggest
 * with real drafts (test-window tweets, hashtags removed), each connection one request at a time.
 * First a short run per concurrency level (throughput should grow with load: dynamic batching),
 * then the main run: 60 s at 200 connections.
 *
 * `--flags=…` are this checkout's `serve` options (default `--workers 2`, one per core here; the
 * `=` lets the value start with a dash).
 *
 * With `--compare DIR` (another checkout of this repository, built: `npm ci && npm run build`
 * there, or `.` for this one) it measures instead two servers side by side: DIR's with
 * `--compare-flags` (default none) and this checkout's with `--flags`, alternately, `--rounds`
 * times (default 4), each run `--duration` seconds at `--connections`, on the same store and
 * drafts, and prints each run and the medians. The server that ran first in a round was the
 * faster by 9–10% in both orders in two runs on 2026-11-30 (bench/README.md "Speed and load"; not
 * seen in the next), so the order turns round every round: DIR first in odd rounds, this checkout
 * first in even ones (an odd `--rounds` gives DIR one more first run).
 *
 *   apt-get install wrk
 *   npm run build && node dist/bench/load.js [--duration 60] [--connections 200] [--flags="--workers 2"]
 *   npm run build && node dist/bench/load.js --compare ../other-checkout --rounds 4 --duration 20
 *   npm run build && node dist/bench/load.js --compare . --compare-flags="--workers 1" --rounds 4 --duration 20
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { toIngestTweet } from "../src/eval/product-ranker.js";
import { SqliteTrendingStore } from "../src/trending/sqlite-store.js";
import { DEFAULT_TREND_HALF_LIFE_HOURS } from "../src/trending/store.js";
import { loadTimeSplit } from "./common.js";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "60" },
    connections: { type: "string", default: "200" },
    compare: { type: "string" },
    rounds: { type: "string", default: "4" },
    flags: { type: "string", default: "--workers 2" },
    "compare-flags": { type: "string", default: "" },
  },
});
if (spawnSync("wrk", ["--version"]).error) {
  console.error("wrk not found: install Debian's wrk (apt-get install wrk)");
  process.exit(3);
}
const duration = Number(values.duration);
const connections = Number(values.connections);
const root = resolve(new URL("../..", import.meta.url).pathname);

const { train, test } = await loadTimeSplit();
// The store, the drafts and wrk's script, removed when the bench exits.
const work = mkdtempSync(join(tmpdir(), "hashtag-rec-load-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));
const store = join(work, "trends.db");
const trending = SqliteTrendingStore.open(store, { halfLifeHours: DEFAULT_TREND_HALF_LIFE_HOURS });
const ordered = [...train].sort((a, b) => a.time! - b.time!);
for (let start = 0; start < ordered.length; start += 5000) await trending.ingest(ordered.slice(start, start + 5000).map(toIngestTweet));
await trending.close();
const drafts = test.filter((e) => e.query.trim().length > 0).slice(0, 5000).map((e) => JSON.stringify({ text: e.query }));
writeFileSync(join(work, "drafts.jsonl"), `${drafts.join("\n")}\n`);
// Each request the next draft, in turn.
writeFileSync(
  join(work, "drafts.lua"),
  `local bodies = {}
for line in io.lines(${JSON.stringify(join(work, "drafts.jsonl"))}) do bodies[#bodies + 1] = line end
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/v1/suggest", { ["Content-Type"] = "application/json" }, bodies[i])
end
`,
);
console.error(`store: ${ordered.length} tweets ingested; ${drafts.length} distinct drafts`);

/** `serve` from the checkout at `checkout`, on the shared store; resolves with its URL once it listens. */
async function startServer(checkout: string, extra: string[]): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, [join(checkout, "bin/hashtag-rec.js"), "serve", "--port", "0", "--store", store, "--clock", "data", "--log-level", "warn", ...extra], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    server.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving (http:\/\/\S+)/u.exec(output);
      if (match) resolve(match[1]!);
    });
    server.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
  return { server, url };
}

async function stopServer(server: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGTERM");
  await exited;
}

/** wrk's time with its unit (`us`, `ms`, `s`, `m`) in ms. */
function ms(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/u.exec(text);
  if (!match) throw new Error(`cannot read wrk's time '${text}'`);
  return Math.round(Number(match[1]) * { us: 1, ms: 1000, s: 1_000_000, m: 60_000_000 }[match[2] as "us" | "ms" | "s" | "m"]) / 1000;
}

function run(url: string, level: number, seconds: number) {
  const wrk = spawnSync("wrk", ["-t1", `-c${level}`, `-d${seconds}s`, "--timeout", "10s", "--latency", "-s", join(work, "drafts.lua"), url], { encoding: "utf8" });
  if (wrk.status !== 0) throw new Error(`wrk failed (${wrk.status}): ${wrk.stderr}`);
  const out = wrk.stdout;
  const field = (pattern: RegExp) => pattern.exec(out)?.[1];
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/u.exec(out);
  const requests = Number(field(/(\d+) requests in/u));
  const non2xx = Number(field(/Non-2xx or 3xx responses: (\d+)/u) ?? 0);
  return {
    connections: level,
    seconds,
    rps: Number(field(/Requests\/sec:\s+([\d.]+)/u)),
    p50: ms(field(/ 50%\s+(\S+)/u)!),
    p99: ms(field(/ 99%\s+(\S+)/u)!),
    max: ms(field(/Latency\s+\S+\s+\S+\s+(\S+)/u)!),
    ok: requests - non2xx,
    errors: non2xx + (socketErrors ? socketErrors.slice(1).reduce((n, x) => n + Number(x), 0) : 0),
  };
}

/** `serve` options from a flag's value. */
const words = (text: string) => text.split(/\s+/u).filter((word) => word.length > 0);
const flags = words(values.flags);
if (values.compare === undefined) {
  const { server, url } = await startServer(root, flags);
  run(url, 20, 5); // warm-up
  const rows = [];
  for (const level of [1, 8, 50]) rows.push(run(url, level, 10));
  rows.push(run(url, connections, duration));
  await stopServer(server);
  console.log(`serve ${flags.join(" ")}, wrk -t1:\n`);
  console.log("| connections | seconds | req/s | p50 (ms) | p99 (ms) | max (ms) | 2xx | errors + non-2xx |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) console.log(`| ${r.connections} | ${r.seconds} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.max} | ${r.ok} | ${r.errors} |`);
} else {
  const checkouts = [resolve(values.compare), root];
  const flagsOf = [words(values["compare-flags"]), flags];
  const runs: { checkout: string; round: number; result: Awaited<ReturnType<typeof run>> }[] = [];
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const i of round % 2 === 1 ? [0, 1] : [1, 0]) {
      const checkout = checkouts[i]!;
      const { server, url } = await startServer(checkout, flagsOf[i]!);
      run(url, 20, 3); // warm-up
      runs.push({ checkout: `${checkout} ${flagsOf[i]!.join(" ")}`.trim(), round, result: run(url, connections, duration) });
      await stopServer(server);
    }
  }
  /** The middle value; with an even count, the mean of the two middle ones. */
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const half = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
  };
  console.log(`${connections} connections, ${duration} s per run, the two servers alternately, the first of a round turning round each round (wrk -t1):\n`);
  console.log("| checkout | round | req/s | p50 (ms) | p99 (ms) | errors + non-2xx |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const { checkout, round, result: r } of runs) console.log(`| ${checkout} | ${round} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} |`);
  for (const checkout of new Set(runs.map((r) => r.checkout))) {
    const mine = runs.filter((r) => r.checkout === checkout).map((r) => r.result);
    console.log(`| ${checkout} | median | ${median(mine.map((r) => r.rps)).toFixed(0)} | ${median(mine.map((r) => r.p50)).toFixed(2)} | ${median(mine.map((r) => r.p99)).toFixed(2)} | ${mine.reduce((n, r) => n + r.errors, 0)} |`);
  }
}
