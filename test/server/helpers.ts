import { Recommender } from "../../src/recommend/recommender.js";
import { Suggester, type SuggesterOptions } from "../../src/recommend/suggester.js";
import { SqliteTrendingStore } from "../../src/trending/sqlite-store.js";
import type { TrendingStore } from "../../src/trending/store.js";

export const MODEL_DIR = new URL("../../models/default", import.meta.url).pathname;

/** The shipped model with an in-memory SQLite store (or the given one). */
export async function productSuggester(options: SuggesterOptions = {}, store?: TrendingStore): Promise<Suggester> {
  const recommender = await Recommender.load(MODEL_DIR);
  return new Suggester(recommender, store ?? SqliteTrendingStore.open(":memory:", { halfLifeHours: 1 }), options);
}
