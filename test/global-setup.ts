import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PREFIX = "hashtag-rec-tests-";
/** A run's directory, named after the process that made it. */
const RUN_DIRECTORY = new RegExp(`^${PREFIX}(\\d+)-`, "u");

/**
 * Every temporary file of a test run (test fixtures, the CLIs and servers the tests start, the
 * redis-server data, the trainer's) goes under one directory, removed when the run ends: the test
 * files make their directories with `mkdtemp(tmpdir())`, and `tmpdir()` follows TMPDIR, which the
 * test workers and their child processes inherit. A run that was interrupted leaves its directory;
 * the next run removes it once the process that made it is gone.
 */
export default function setup(): () => void {
  removeLeftovers();
  const root = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}

function removeLeftovers(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = RUN_DIRECTORY.exec(name)?.[1];
    if (pid !== undefined && !running(Number(pid))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // alive, another user's
  }
}
