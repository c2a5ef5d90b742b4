import { termCounts } from "../data/terms.js";

/**
 * A text's L2-normalised TF-IDF vector over the terms a window of `documents` tweets has seen:
 * 1 + ln tf, times the smooth idf ln((1 + documents) / (1 + df)) + 1. Keyed by the window's name
 * for each term (`find`: a string, an id; undefined when no tweet there has it, and the term is
 * left out). What the neighbour and centroid indexes compare, each with its own window; `text`
 * may be given as its {@link termCounts} when a caller has them already (a draft asks both).
 */
export function tfidfVector<K>(text: string | ReadonlyMap<string, number>, find: (term: string) => K | undefined, documentFrequency: (name: K) => number, documents: number): Map<K, number> {
  const tf = typeof text === "string" ? termCounts(text) : text;
  let norm = 0;
  const vector = new Map<K, number>();
  for (const [term, count] of tf) {
    const name = find(term);
    if (name === undefined) continue;
    const weight = (1 + Math.log(count)) * (Math.log((1 + documents) / (1 + documentFrequency(name))) + 1);
    vector.set(name, weight);
    norm += weight * weight;
  }
  norm = Math.sqrt(norm);
  for (const [name, weight] of vector) vector.set(name, weight / norm);
  return vector;
}
