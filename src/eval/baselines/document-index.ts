import type { SparseVector } from "./tfidf.js";

/** A growable posting list: the documents that hold one term, with the term's weight in each. */
class Postings {
  docs = new Int32Array(4);
  weights = new Float32Array(4);
  length = 0;

  push(doc: number, weight: number): void {
    if (this.length === this.docs.length) {
      const docs = new Int32Array(this.length * 2);
      docs.set(this.docs);
      this.docs = docs;
      const weights = new Float32Array(this.length * 2);
      weights.set(this.weights);
      this.weights = weights;
    }
    this.docs[this.length] = doc;
    this.weights[this.length] = weight;
    this.length += 1;
  }
}

/** Documents whose similarity to a query is above zero, with that cosine similarity. */
export interface Similarities {
  docs: Int32Array;
  scores: Float32Array;
  length: number;
}

/**
 * An inverted index of L2-normalised sparse vectors for exact cosine search: a query touches
 * only the documents that share a term with it. Documents can be added at any time.
 */
export class DocumentIndex {
  private readonly postings: (Postings | undefined)[] = [];
  private accumulator = new Float32Array(1024);
  private touched = new Int32Array(1024);
  private result: Similarities = { docs: new Int32Array(1024), scores: new Float32Array(1024), length: 0 };
  size = 0;

  /** Adds a document and returns its id (0, 1, 2, … in order of addition). */
  add(vector: SparseVector): number {
    const doc = this.size;
    this.size += 1;
    for (let i = 0; i < vector.ids.length; i++) {
      const term = vector.ids[i]!;
      let list = this.postings[term];
      if (!list) {
        list = new Postings();
        this.postings[term] = list;
      }
      list.push(doc, vector.values[i]!);
    }
    if (this.size > this.accumulator.length) {
      const grown = new Float32Array(this.accumulator.length * 2);
      this.accumulator = grown;
      this.touched = new Int32Array(grown.length);
      this.result = { docs: new Int32Array(grown.length), scores: new Float32Array(grown.length), length: 0 };
    }
    return doc;
  }

  /**
   * Cosine similarity of `query` to every document that shares a term with it. The returned
   * arrays are reused by the next call: read them before searching again.
   */
  similarities(query: SparseVector): Similarities {
    const acc = this.accumulator;
    const touched = this.touched;
    let count = 0;
    for (let i = 0; i < query.ids.length; i++) {
      const list = this.postings[query.ids[i]!];
      if (!list) continue;
      const weight = query.values[i]!;
      const docs = list.docs;
      const weights = list.weights;
      for (let j = 0; j < list.length; j++) {
        const doc = docs[j]!;
        if (acc[doc] === 0) touched[count++] = doc;
        acc[doc]! += weight * weights[j]!;
      }
    }
    const out = this.result;
    let length = 0;
    for (let i = 0; i < count; i++) {
      const doc = touched[i]!;
      const score = acc[doc]!;
      acc[doc] = 0;
      if (score > 0) {
        out.docs[length] = doc;
        out.scores[length] = score;
        length += 1;
      }
    }
    out.length = length;
    return out;
  }
}

/**
 * Indices into `similarities` of the `k` highest scores, best first (ties: lower document id).
 */
export function topSimilar(similarities: Similarities, k: number): number[] {
  const { docs, scores, length } = similarities;
  const better = (a: number, b: number) => scores[a]! > scores[b]! || (scores[a] === scores[b] && docs[a]! < docs[b]!);
  const heap: number[] = []; // min-heap by `better`: heap[0] is the worst kept
  const siftDown = (from: number) => {
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < heap.length && better(heap[worst]!, heap[l]!)) worst = l;
      if (r < heap.length && better(heap[worst]!, heap[r]!)) worst = r;
      if (worst === i) return;
      [heap[i], heap[worst]] = [heap[worst]!, heap[i]!];
      i = worst;
    }
  };
  for (let i = 0; i < length; i++) {
    if (heap.length < k) {
      heap.push(i);
      let c = heap.length - 1;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!better(heap[p]!, heap[c]!)) break;
        [heap[p], heap[c]] = [heap[c]!, heap[p]!];
        c = p;
      }
    } else if (better(i, heap[0]!)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => (better(a, b) ? -1 : 1));
}
