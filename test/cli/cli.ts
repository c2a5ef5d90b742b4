import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

/** Runs the built CLI (`npm run build` first) and returns its exit code and output. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; timeout?: number } = {}) {
  const result = spawnSync(process.execPath, [`${ROOT}/bin/hashtag-rec.js`, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, ...options.env },
    timeout: options.timeout ?? 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
