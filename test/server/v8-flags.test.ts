import { describe, expect, it } from "vitest";
import { SERVER_V8_FLAGS, workerExecArgv } from "../../src/server/v8-flags.js";

describe("workerExecArgv", () => {
  it("adds the server's V8 settings to the process's own options", () => {
    expect(workerExecArgv(["--enable-source-maps"])).toEqual(["--enable-source-maps", ...SERVER_V8_FLAGS]);
    expect(SERVER_V8_FLAGS).toEqual(["--no-allocation-site-pretenuring", "--heap-growing-percent=300", "--max-semi-space-size=32"]);
  });

  it("leaves a setting given on the command line as it is, in either spelling, with or without --no-", () => {
    expect(workerExecArgv(["--max-semi-space-size=64"])).toEqual(["--max-semi-space-size=64", "--no-allocation-site-pretenuring", "--heap-growing-percent=300"]);
    expect(workerExecArgv(["--max_semi_space_size=8", "--allocation-site-pretenuring", "--heap_growing_percent=50"])).toEqual([
      "--max_semi_space_size=8",
      "--allocation-site-pretenuring",
      "--heap_growing_percent=50",
    ]);
  });
});
