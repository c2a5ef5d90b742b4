import { mkdtempSync, readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { corruptModel, exited, killServers, runCli, serve } from "./cli.js";

const tempDir = () => mkdtempSync(join(tmpdir(), "hashtag-rec-workers-"));

afterEach(killServers);

/** One request on a connection of its own (so each goes to the next worker in turn). */
function once(url: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: body === undefined ? "GET" : "POST", agent: false, headers: { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () =>
        resolve({
          status: res.statusCode!,
          text,
          get json() {
            return JSON.parse(text);
          },
        }),
      );
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** A GET through `agent` (kept-alive connections). */
function get(url: string, path: string, agent: Agent): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    request(`${url}${path}`, { agent }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    })
      .on("error", reject)
      .end();
  });
}

/** Process ids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
  return children === "" ? [] : children.split(" ").map(Number);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("hashtag-rec serve --workers", () => {
  it("shares the connections out in turn between its workers, which share the store", async () => {
    const { child, url, output } = await serve(["--workers", "2", "--store", join(tempDir(), "trends.db")]);
    expect(output()).toMatch(/2 workers/);
    const workers = childrenOf(child.pid!);
    expect(workers).toHaveLength(2);
    const answered = await Promise.all(Array.from({ length: 4 }, () => once(url, "/healthz")));
    expect(answered.map((r) => r.json.pid).sort()).toEqual([...workers, ...workers].sort());
    // An ingest through one worker is in the store that the other reads.
    const ack = await once(url, "/v1/tweets", { tweets: [{ id: "w1", text: "shared by both #WorkersShareThis", time: "2023-05-01T00:00:00Z" }] });
    expect(ack.status).toBe(200);
    for (const r of await Promise.all([once(url, "/v1/hashtags?prefix=workersshare"), once(url, "/v1/hashtags?prefix=workersshare")])) {
      expect(r.json.hashtags.map((s: { hashtag: string }) => s.hashtag)).toEqual(["WorkersShareThis"]);
    }
  });

  it("answers GET /metrics with every worker's metrics, each labelled with its worker, whichever worker takes it", async () => {
    const { url } = await serve(["--workers", "2", "--store", join(tempDir(), "trends.db")]);
    const answered = await Promise.all(Array.from({ length: 4 }, () => once(url, "/healthz")));
    expect(new Set(answered.map((r) => r.json.pid)).size).toBe(2);
    // Two requests, each on a connection of its own: one to each worker.
    for (const text of [(await once(url, "/metrics")).text, (await once(url, "/metrics")).text]) {
      const lines = text.split("\n");
      for (const worker of ["1", "2"]) {
        expect(lines).toContain(`hashtag_rec_http_requests_total{method="GET",route="/healthz",status="200",worker="${worker}"} 2`);
        expect(lines).toContain(`hashtag_rec_store_up{worker="${worker}"} 1`);
        expect(lines.some((line) => line.startsWith(`hashtag_rec_process_start_time_seconds{worker="${worker}"} `))).toBe(true);
      }
      // One HELP and TYPE per metric, whatever the number of workers.
      expect(lines.filter((line) => line === "# TYPE hashtag_rec_http_requests_total counter")).toHaveLength(1);
    }
  });

  it("learns the blend's weights into the store: every worker answers with the same, and a restart goes on from them", async () => {
    const store = join(tempDir(), "trends.db");
    const first = await serve(["--workers", "2", "--store", store]);
    // After models/default's training data: the second tweet teaches (its hashtag was in use before it).
    const post = (id: string, time: string) => once(first.url, "/v1/tweets", { tweets: [{ id, text: "what a game tonight #Zzqgame", time }] });
    expect((await post("1", "2024-01-10T12:00:00Z")).status).toBe(200);
    expect((await post("2", "2024-01-10T12:01:00Z")).status).toBe(200);
    const answers = await Promise.all([once(first.url, "/v1/blend"), once(first.url, "/v1/blend")]);
    expect(new Set(answers.map((r) => r.json.pid)).size).toBe(2);
    const [one, other] = answers.map((r) => r.json);
    expect(one.lessons).toBe(1);
    expect(other.weights).toEqual(one.weights);
    expect(other.lessons).toBe(1);
    first.child.kill("SIGTERM");
    expect(await exited(first.child)).toBe(0);
    const second = await serve(["--store", store]);
    expect((await once(second.url, "/v1/blend")).json).toMatchObject({ weights: one.weights, lessons: 1 });
  });

  it("on SIGTERM, every worker finishes its in-flight requests, then all exit 0", async () => {
    const { child, url } = await serve(["--workers", "2", "--store", join(tempDir(), "trends.db"), "--batch-window", "400"]);
    const workers = childrenOf(child.pid!);
    const inFlight = Array.from({ length: 6 }, (_, i) => once(url, "/v1/suggest", { text: `draft ${i} about football` }));
    await new Promise((resolve) => setTimeout(resolve, 150));
    child.kill("SIGTERM");
    const responses = await Promise.all(inFlight);
    expect(responses.map((r) => r.status)).toEqual(new Array(6).fill(200));
    for (const r of responses) expect(r.json.suggestions).toHaveLength(5);
    expect(await exited(child)).toBe(0);
    expect(workers.filter(alive)).toEqual([]);
  });

  it("closes idle keep-alive connections on SIGTERM, so that the workers exit at once", async () => {
    const { child, url } = await serve(["--workers", "2", "--store", join(tempDir(), "trends.db")]);
    const agent = new Agent({ keepAlive: true });
    // Two requests, one kept-alive connection on each worker, idle when the signal comes.
    const pids = await Promise.all([0, 1].map(() => get(url, "/healthz", agent)));
    expect(new Set(pids.map((r) => r.json.pid)).size).toBe(2);
    const started = Date.now();
    child.kill("SIGTERM");
    expect(await exited(child)).toBe(0);
    // Well before the 10 s grace period (and Node's 72 s keep-alive timeout).
    expect(Date.now() - started).toBeLessThan(5000);
    agent.destroy();
  });

  it("replaces a worker that dies", async () => {
    const { child, url, output } = await serve(["--workers", "2", "--store", join(tempDir(), "trends.db")]);
    const [victim, survivor] = childrenOf(child.pid!) as [number, number];
    process.kill(victim, "SIGKILL");
    const deadline = Date.now() + 60_000;
    while (!(childrenOf(child.pid!).length === 2 && !childrenOf(child.pid!).includes(victim)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const workers = childrenOf(child.pid!);
    expect(workers).toContain(survivor);
    expect(workers).not.toContain(victim);
    expect(output()).toMatch(new RegExp(`worker ${victim} exited with SIGKILL; starting another`));
    // The new worker serves once it is ready; until then its turns go to the survivor.
    while (Date.now() < deadline) {
      const pids = (await Promise.all([once(url, "/healthz"), once(url, "/healthz")])).map((r) => r.json.pid);
      if (new Set(pids).size === 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const pids = (await Promise.all([once(url, "/healthz"), once(url, "/healthz")])).map((r) => r.json.pid as number);
    expect(pids.sort()).toEqual([...workers].sort());
  });

  it("fails at start-up on a corrupt model once, with the model's exit code", () => {
    const dir = corruptModel(tempDir());
    const result = runCli(["serve", "--workers", "2", "--model", dir, "--port", "0", "--store", join(tempDir(), "trends.db")]);
    expect(result.code).toBe(5);
    // One line, from the first worker: the others are not started.
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^hashtag-rec serve: cannot load ONNX graph '.*recommender_int8\.onnx'/)]);
  });

  it("rejects an in-memory store (each worker would have its own) and a port in use", async () => {
    const memory = runCli(["serve", "--workers", "2", "--store", ":memory:", "--port", "0"]);
    expect(memory.code).toBe(2);
    expect(memory.stderr).toMatch(/--workers above 1 needs a store they can share/);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = String((taken.address() as { port: number }).port);
    try {
      for (const workers of ["1", "2"]) {
        const result = runCli(["serve", "--workers", workers, "--port", port, "--store", join(tempDir(), "trends.db")]);
        expect(result.code, `--workers ${workers}`).toBe(2);
        expect(result.stderr).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
      }
    } finally {
      taken.close();
    }
  });
});
