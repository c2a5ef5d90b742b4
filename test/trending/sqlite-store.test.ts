import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteTrendingStore } from "../../src/trending/sqlite-store.js";
import { describeTrendingStore } from "./store-contract.js";

describeTrendingStore("SQLite", async () => SqliteTrendingStore.open(":memory:", { halfLifeHours: 1 }));

describe("SQLite trending store file", () => {
  it("keeps its half-life and refuses another", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "trends-")), "trends.db");
    const store = SqliteTrendingStore.open(path, { halfLifeHours: 2 });
    await store.ingest([{ id: "1", time: 0, hashtags: [{ key: "a", display: "A" }] }]);
    await store.close();
    expect(() => SqliteTrendingStore.open(path, { halfLifeHours: 1 })).toThrow(/half-life of 2 h.*--half-life 2/);
    const reopened = SqliteTrendingStore.open(path, { halfLifeHours: 2 });
    expect((await reopened.top(1))[0]).toMatchObject({ key: "a", count: 1 });
    await reopened.close();
  });

  it("names the file it cannot open", () => {
    expect(() => SqliteTrendingStore.open("/nonexistent-dir/x/trends.db", { halfLifeHours: 1 })).toThrow(/nonexistent-dir\/x\/trends.db/);
  });
});
