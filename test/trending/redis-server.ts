import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const REDIS_SERVER = process.env.REDIS_SERVER ?? "/usr/bin/redis-server";

export interface RedisServer {
  url: string;
  port: number;
  /** Stops the server (SIGKILL by default, like a crash) and waits until it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves true when something at `port` answers `PING` with `+PONG`. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

/**
 * Starts a throw-away `redis-server` (no persistence) on `port`, or on a free port, and waits
 * until it answers. Pass the port of a stopped one to start it again "after a crash".
 *
 * @example
 * ```ts
 * const redis = await startRedis();
 * const store = await RedisTrendingStore.open(redis.url, { halfLifeHours: 1 });
 * await redis.stop();
 * ```
 */
export async function startRedis(port?: number): Promise<RedisServer> {
  const listenPort = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "redis-test-"));
  const child = spawn(
    REDIS_SERVER,
    ["--port", String(listenPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--loglevel", "warning"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const keep = (data: Buffer) => {
    output = (output + data.toString()).slice(-4_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let running = true;
  void exited.then(() => {
    running = false;
    process.off("exit", killOnExit);
    rmSync(dir, { recursive: true, force: true });
  });
  child.once("error", (error) => {
    output += `\n${error.message}`;
  });

  const deadline = Date.now() + 10_000;
  while (!(await answersPing(listenPort))) {
    if (!running || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`redis-server on port ${listenPort} did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `redis://127.0.0.1:${listenPort}`,
    port: listenPort,
    async stop(signal: NodeJS.Signals = "SIGKILL") {
      if (running) child.kill(signal);
      await exited;
    },
  };
}
