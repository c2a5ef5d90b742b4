import { termCounts } from "../data/terms.js";

/**
 * Terms in 2% or more of a window's tweets (the, to, in, of, is, and, for, on, it, this, …: 74
 * terms over the last 48 hours of tweets-2023's training data) are left out of the neighbour and
 * centroid indexes' vectors and of the stream classifier's input. They tell little about a topic, and they were most of the work: three
 * quarters of the centroid cells a draft reads (4,215; 431 without them), thousands of postings a
 * draft for the neighbours. Chosen on the validation days: +0.3 to +0.4 points of hit@5 for the
 * centroids over keeping them (bench/README.md "Choosing the blend"), the same hit@5 for the neighbours
 * (bench/README.md "Speed and load").
 */
export const DEFAULT_MAX_DOCUMENT_SHARE = 0.02;
/** A term in fewer tweets than this is never left out, however few the window holds (a new store's first tweets). */
const COMMON_MIN_TWEETS = 10;

/** Whether a term in `documentFrequency` of a window's `documents` tweets is among its commonest: in `maxShare` of them or more (and in 10 or more). */
export function isCommonTerm(documentFrequency: number, documents: number, maxShare: number): boolean {
  return documentFrequency >= Math.max(maxShare * documents, COMMON_MIN_TWEETS);
}

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
