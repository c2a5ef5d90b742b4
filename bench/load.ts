/**
 * Load on the HTTP API: `hashtag-rec serve` (models/default, an SQLite store holding the tweets
 * before the split, `--clock data`) in its own process, and autocannon sending POST /v1/suggest
 * with real drafts (test-window tweets, hashtags removed), each connection one request at a time.
 * First a short run per concurrency level (throughput should grow with load: dynamic batching),
 * then the main run: 60 s at 200 connections.
 *
 * With `--compare DIR` (another checkout of this repository, built: `npm ci && npm run build`
 * there) it measures instead the two servers side by side: DIR's and this checkout's, alternately,
 * `--rounds` times, each run `--duration` seconds at `--connections`, on the same store and drafts,
 * and prints each run and the medians.
 *
 *   npm run build && node dist/bench/load.js [--duration 60] [--connections 200]
 *   npm run build && node dist/bench/load.js --compare ../other-checkout --rounds 3 --duration 20
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { toIngestTweet } from "../src/eval/product-ranker.js";
import { SqliteTrendingStore } from "../src/trending/sqlite-store.js";
import { DEFAULT_TREND_HALF_LIFE_HOURS } from "../src/trending/store.js";
import { loadTimeSplit } from "./common.js";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "60" },
    connections: { type: "string", default: "200" },
    compare: { type: "string" },
    rounds: { type: "string", default: "3" },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const root = resolve(new URL("../..", import.meta.url).pathname);

const { train, test } = await loadTimeSplit();
const store = join(mkdtempSync(join(tmpdir(), "hashtag-rec-load-")), "trends.db");
const trending = SqliteTrendingStore.open(store, { halfLifeHours: DEFAULT_TREND_HALF_LIFE_HOURS });
const ordered = [...train].sort((a, b) => a.time! - b.time!);
for (let start = 0; start < ordered.length; start += 5000) await trending.ingest(ordered.slice(start, start + 5000).map(toIngestTweet));
await trending.close();
const drafts = test.filter((e) => e.query.trim().length > 0).slice(0, 5000).map((e) => JSON.stringify({ text: e.query }));
console.error(`store: ${ordered.length} tweets ingested; ${drafts.length} distinct drafts`);

/** `serve` from the checkout at `checkout`, on the shared store; resolves with its URL once it listens. */
async function startServer(checkout: string): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, [join(checkout, "bin/hashtag-rec.js"), "serve", "--port", "0", "--store", store, "--clock", "data", "--log-level", "warn"], {
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

let next = 0;
const request = {
  method: "POST",
  path: "/v1/suggest",
  headers: { "content-type": "application/json" },
  setupRequest: (req: object) => ({ ...req, body: drafts[next++ % drafts.length]! }),
};

async function run(url: string, level: number, seconds: number) {
  const result = await autocannon({ url, connections: level, duration: seconds, timeout: 10, requests: [request] });
  return {
    connections: level,
    seconds,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    ok: result["2xx"],
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

if (values.compare === undefined) {
  const { server, url } = await startServer(root);
  await run(url, 20, 5); // warm-up
  const rows = [];
  for (const level of [1, 8, 50]) rows.push(await run(url, level, 10));
  rows.push(await run(url, connections, duration));
  await stopServer(server);
  console.log("| connections | seconds | req/s | p50 (ms) | p99 (ms) | max (ms) | 2xx | errors + non-2xx |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) console.log(`| ${r.connections} | ${r.seconds} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.max} | ${r.ok} | ${r.errors} |`);
} else {
  const checkouts = [resolve(values.compare), root];
  const runs: { checkout: string; round: number; result: Awaited<ReturnType<typeof run>> }[] = [];
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const checkout of checkouts) {
      const { server, url } = await startServer(checkout);
      await run(url, 20, 3); // warm-up
      runs.push({ checkout, round, result: await run(url, connections, duration) });
      await stopServer(server);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`${connections} connections, ${duration} s per run, the two checkouts alternately:\n`);
  console.log("| checkout | round | req/s | p50 (ms) | p99 (ms) | errors + non-2xx |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const { checkout, round, result: r } of runs) console.log(`| ${checkout} | ${round} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} |`);
  for (const checkout of checkouts) {
    const mine = runs.filter((r) => r.checkout === checkout).map((r) => r.result);
    console.log(`| ${checkout} | median | ${median(mine.map((r) => r.rps)).toFixed(0)} | ${median(mine.map((r) => r.p50))} | ${median(mine.map((r) => r.p99))} | ${mine.reduce((n, r) => n + r.errors, 0)} |`);
  }
}
