import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as library from "../src/index.js";

describe("the library entry point", () => {
  it("exports the recommender, the product's ranking, the stores and the server", () => {
    for (const name of ["Recommender", "Suggester", "SqliteTrendingStore", "RedisTrendingStore", "openStore", "buildApp", "startServer", "evaluate"]) {
      expect(typeof (library as Record<string, unknown>)[name], name).toBe("function");
    }
  });

  it("points package.json at the built entry point", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { main: string; types: string };
    // `npm test` builds first, so the files exist when this runs.
    for (const file of [pkg.main, pkg.types]) expect(existsSync(new URL(`../${file}`, import.meta.url)), file).toBe(true);
  });
});
