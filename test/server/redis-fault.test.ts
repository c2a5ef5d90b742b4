import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../cli/cli.js";
import { startRedis, type RedisServer } from "../trending/redis-server.js";

const post = (url: string, path: string, body: unknown) =>
  fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("serve on a shared Redis store", () => {
  let server: ChildProcess | undefined;
  let redis: RedisServer | undefined;
  afterAll(async () => {
    server?.kill("SIGKILL");
    await redis?.stop();
  });

  it("reports Redis going down in /readyz and the log, keeps suggesting, and recovers", async () => {
    redis = await startRedis();
    server = spawn(process.execPath, [`${ROOT}/bin/hashtag-rec.js`, "serve", "--port", "0", "--store", redis.url], { cwd: ROOT });
    let log = "";
    server.stdout!.on("data", (chunk: Buffer) => (log += chunk.toString()));
    server.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
    await until(async () => /serving http/u.test(log), 30_000);
    const url = /serving (http:\/\/\S+)/u.exec(log)![1]!;

    expect((await post(url, "/v1/tweets", { tweets: [{ id: "1", text: "kick-off #GrandFinal" }] })).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    const port = redis.port;
    await redis.stop("SIGKILL");
    await until(async () => (await fetch(`${url}/readyz`)).status === 503, 5_000);
    const degraded = await (await fetch(`${url}/readyz`)).json();
    expect(degraded).toMatchObject({ status: "degraded", store: "redis", reason: expect.stringContaining("unavailable") });
    await until(async () => /trending store DOWN/u.test(log), 5_000);
    // Suggestions go on from the model alone; ingests fail with a clear 503.
    const suggest = await post(url, "/v1/suggest", { text: "the grand final tonight", k: 3 });
    expect(suggest.status).toBe(200);
    expect(((await suggest.json()) as { suggestions: unknown[] }).suggestions).toHaveLength(3);
    const ingest = await post(url, "/v1/tweets", { tweets: [{ id: "2", text: "#GrandFinal" }] });
    expect(ingest.status).toBe(503);
    expect(((await ingest.json()) as { error: { code: string } }).error.code).toBe("STORE_UNAVAILABLE");
    expect(server.exitCode).toBeNull();

    redis = await startRedis(port);
    await until(async () => (await fetch(`${url}/readyz`)).status === 200, 10_000);
    await until(async () => /trending store back/u.test(log), 5_000);
    expect((await post(url, "/v1/tweets", { tweets: [{ id: "3", text: "#GrandFinal again" }] })).status).toBe(200);
  }, 90_000);
});
