import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

/** Runs the built CLI (`npm run build` first), `input` on its standard input, and returns its exit code and output. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; timeout?: number; input?: string | Buffer } = {}) {
  const result = spawnSync(process.execPath, [`${ROOT}/bin/hashtag-rec.js`, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    ...(options.input === undefined ? {} : { input: options.input }),
    env: { ...process.env, ...options.env },
    timeout: options.timeout ?? 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const servers: ChildProcess[] = [];

/** Starts `hashtag-rec serve --port 0` and resolves with its URL once it listens; `output` has stdout and stderr so far. */
export function serve(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [`${ROOT}/bin/hashtag-rec.js`, "serve", "--port", "0", "--log-level", "warn", ...args], { cwd: ROOT });
  servers.push(child);
  let output = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving (http:\/\/\S+)/u.exec(output);
      if (match) resolve({ child, url: match[1]!, output: () => output });
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => reject(new Error(`serve exited with ${code} before listening:\n${output}`)));
  });
}

/** Kills every server `serve` started that is still running (for afterEach). */
export function killServers(): void {
  for (const child of servers.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/** Resolves with the exit code once `child` has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once("exit", (code) => resolve(code))));
}

/** Makes `dir` a copy of models/default whose ONNX graph is not one; returns `dir`. */
export function corruptModel(dir: string): string {
  const model = join(ROOT, "models/default");
  for (const file of ["config.json", "tokenizer.json", "hashtags.json"]) copyFileSync(join(model, file), join(dir, file));
  mkdirSync(join(dir, "onnx"));
  writeFileSync(join(dir, "onnx/recommender_int8.onnx"), "not an onnx graph");
  return dir;
}
