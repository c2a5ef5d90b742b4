import { termsOf } from "../../data/terms.js";

export { termsOf };

/** A sparse vector: term ids and their weights, L2-normalised. */
export interface SparseVector {
  ids: Int32Array;
  values: Float32Array;
}

/**
 * TF-IDF over word unigrams and bigrams with sublinear tf (1 + ln tf), smooth idf
 * (ln((1 + n) / (1 + df)) + 1) and L2 normalisation; terms must occur in `minDf` documents.
 * The vocabulary and idf are fixed at fit time, as scikit-learn's `TfidfVectorizer` does.
 */
export class TfidfVectorizer {
  private constructor(
    private readonly termIds: Map<string, number>,
    private readonly idf: Float32Array,
  ) {}

  static fit(texts: Iterable<string>, minDf = 2): TfidfVectorizer {
    const df = new Map<string, number>();
    let n = 0;
    for (const text of texts) {
      n += 1;
      for (const term of new Set(termsOf(text))) df.set(term, (df.get(term) ?? 0) + 1);
    }
    const termIds = new Map<string, number>();
    const idf: number[] = [];
    for (const [term, count] of df) {
      if (count < minDf) continue;
      termIds.set(term, idf.length);
      idf.push(Math.log((1 + n) / (1 + count)) + 1);
    }
    return new TfidfVectorizer(termIds, Float32Array.from(idf));
  }

  get size(): number {
    return this.idf.length;
  }

  /** The L2-normalised TF-IDF vector of `text`; empty when no term is known. */
  transform(text: string): SparseVector {
    const tf = new Map<number, number>();
    for (const term of termsOf(text)) {
      const id = this.termIds.get(term);
      if (id !== undefined) tf.set(id, (tf.get(id) ?? 0) + 1);
    }
    const ids = new Int32Array(tf.size);
    const values = new Float32Array(tf.size);
    let i = 0;
    let norm = 0;
    for (const [id, count] of tf) {
      const weight = (1 + Math.log(count)) * this.idf[id]!;
      ids[i] = id;
      values[i] = weight;
      norm += weight * weight;
      i += 1;
    }
    norm = Math.sqrt(norm);
    for (let j = 0; j < values.length; j++) values[j]! /= norm;
    return { ids, values };
  }
}
