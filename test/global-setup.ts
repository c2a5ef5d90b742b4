import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Every temporary file of a test run (test fixtures, the CLIs and servers the tests start, the
 * redis-server data, the trainer's) goes under one directory, removed when the run ends: the test
 * files make their directories with `mkdtemp(tmpdir())`, and `tmpdir()` follows TMPDIR, which the
 * test workers and their child processes inherit.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), "hashtag-rec-tests-"));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
