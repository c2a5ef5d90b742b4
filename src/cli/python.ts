import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { HashtagRecError } from "../core/errors.js";

/** The repository's `trainer/` folder (shipped in the npm package). */
export const TRAINER_DIR = fileURLToPath(new URL("../../../trainer/", import.meta.url));

const OPENBLAS_OPENMP = "/usr/lib/x86_64-linux-gnu/openblas-openmp";

const INSTALL_HINT =
  "install PyTorch: on Debian/Ubuntu 'apt-get install python3-torch python3-onnx python3-numpy libopenblas0-openmp', " +
  "elsewhere 'pip install torch onnx numpy'; or point HASHTAG_REC_PYTHON at a Python that has them";

/**
 * Finds a Python with PyTorch: `$HASHTAG_REC_PYTHON`, then Debian's `/usr/bin/python3`, then
 * `python3` on PATH. Throws DEPENDENCY_MISSING with install instructions when none has it.
 */
export function findPython(): string {
  const candidates = [process.env.HASHTAG_REC_PYTHON, "/usr/bin/python3", "python3"].filter((c): c is string => Boolean(c));
  for (const python of candidates) {
    const probe = spawnSync(python, ["-c", "import torch, numpy"], { encoding: "utf8", env: pythonEnv() });
    if (probe.status === 0) return python;
  }
  throw new HashtagRecError("DEPENDENCY_MISSING", `no Python with PyTorch found (tried ${candidates.join(", ")}): ${INSTALL_HINT}`);
}

/** The environment for the trainer: OpenBLAS with OpenMP when present (about 25x faster than reference BLAS). */
export function pythonEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: "1" };
  if (existsSync(OPENBLAS_OPENMP)) env.LD_LIBRARY_PATH = [OPENBLAS_OPENMP, env.LD_LIBRARY_PATH].filter(Boolean).join(":");
  return env;
}

/**
 * Runs a trainer script, hands each JSON line of its stdout to `onEvent`, passes its stderr
 * through, and resolves with its exit code.
 */
export async function runTrainerScript(script: string, args: string[], onEvent: (event: Record<string, unknown>) => void): Promise<number> {
  const python = findPython();
  const child = spawn(python, [`${TRAINER_DIR}${script}`, ...args], { env: pythonEnv(), stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    try {
      onEvent(JSON.parse(line) as Record<string, unknown>);
    } catch {
      process.stderr.write(`${line}\n`);
    }
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code) => resolve(code ?? 1));
    });
  } finally {
    process.off("SIGINT", forward);
    process.off("SIGTERM", forward);
  }
}
