import v8 from "node:v8";

/**
 * V8 settings for a server process, chosen under the load bench (bench/README.md "Speed and load"). Under
 * load, mark-compacts came every 0.4 s, or in bursts, each with pauses of up to 25 ms in the middle
 * of a batch: they set the p99.
 *
 * - `--no-allocation-site-pretenuring`. A request's objects live for a batch cycle, long enough to
 *   survive a scavenge, so V8 took them for long-lived and allocated them straight into the old
 *   generation, which only a mark-compact empties: 38 mark-compacts in 15 s of one process's load,
 *   5 without.
 * - `--heap-growing-percent=300`: after a mark-compact, the old generation may grow to 4× what
 *   survived (about 35 MB here) before the next, instead of V8's smaller factor. With the smaller
 *   one, the room left was less than the young generation, which starts the next marking at once:
 *   bursts of mark-compacts 100 ms apart. 34 mark-compacts in 60 s of two workers' load, 4 with it.
 * - `--max-semi-space-size=32` (MB; V8's default is 16): half as many scavenges, each no longer,
 *   since what survives one is what is in flight.
 */
export const SERVER_V8_FLAGS: readonly string[] = ["--no-allocation-site-pretenuring", "--heap-growing-percent=300", "--max-semi-space-size=32"];
/** Those of {@link SERVER_V8_FLAGS} that V8 takes in a running process (the young generation's size is fixed at start). */
const RUNTIME_FLAGS = SERVER_V8_FLAGS.filter((flag) => !flag.startsWith("--max-semi-space-size"));

/**
 * Node options for a server's worker processes: the current process's, with each of
 * {@link SERVER_V8_FLAGS} that it does not set itself (a flag given on the command line wins).
 */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const given = new Set(execArgv.map(setting));
  return [...execArgv, ...SERVER_V8_FLAGS.filter((flag) => !given.has(setting(flag)))];
}

/**
 * Applies to this running process those of {@link SERVER_V8_FLAGS} that V8 takes after start (the
 * young generation's size is fixed when the process starts: `node --max-semi-space-size=32` sets
 * it for a single-process server). A flag given on the command line wins here too.
 */
export function tuneThisProcess(execArgv: readonly string[] = process.execArgv): void {
  const given = new Set(execArgv.map(setting));
  for (const flag of RUNTIME_FLAGS) if (!given.has(setting(flag))) v8.setFlagsFromString(flag);
}

/** A V8 flag's setting, whatever its spelling: `--no-foo_bar=1` → `foo-bar`. */
function setting(flag: string): string {
  return flag.replace(/^--(no-)?/, "").split("=")[0]!.replaceAll("_", "-");
}
