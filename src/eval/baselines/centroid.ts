import type { Example } from "../../data/examples.js";
import type { Query, Ranker } from "../ranker.js";
import { rankByScore, type BaselineCorpus, type VocabularySize } from "./corpus.js";
import { DocumentIndex } from "./document-index.js";
import { fitText, type KeyTable } from "./text-features.js";
import type { SparseVector, TfidfVectorizer } from "./tfidf.js";

/**
 * `centroid`: cosine between the query and each hashtag's TF-IDF centroid, the sum s of its
 * documents' unit vectors: q·s / ‖s‖. The training centroids sit in an inverted index (one
 * "document" per hashtag id). Online, ingested tweets go to a second, small index instead of
 * rewriting the centroids: q·s = q·s_train + Σ q·v_new, and ‖s‖² is updated as each arrives
 * (‖s + v‖² = ‖s‖² + 2 s·v + ‖v‖²).
 */
export class CentroidBaseline implements Ranker {
  readonly name = "centroid";
  private readonly corpus: BaselineCorpus;
  private readonly vectorizer: TfidfVectorizer;
  private readonly keys: KeyTable;
  private readonly centroids = new DocumentIndex();
  private readonly newDocs = new DocumentIndex();
  private readonly newDocKeys: Int32Array[] = [];
  private squaredNorms = new Float64Array(0);
  private scores = new Float64Array(0);

  /**
   * `trackAllHashtags`: keep centroids of every hashtag, not only today's candidates, so that
   * hashtags entering the vocabulary later (online mode) have theirs.
   */
  constructor(train: readonly Example[], vocabularySize: VocabularySize, trackAllHashtags = false) {
    const fit = fitText(train, vocabularySize);
    this.corpus = fit.corpus;
    this.vectorizer = fit.vectorizer;
    this.keys = fit.keys;
    const sums = this.keys.names.map(() => new Map<number, number>());
    fit.docKeys.forEach((ids, doc) => {
      const { ids: terms, values } = fit.vectors[doc]!;
      for (const id of ids) {
        if (!trackAllHashtags && !this.corpus.isCandidate(this.keys.names[id]!)) continue;
        const sum = sums[id]!;
        for (let i = 0; i < terms.length; i++) sum.set(terms[i]!, (sum.get(terms[i]!) ?? 0) + values[i]!);
      }
    });
    this.ensureCapacity();
    sums.forEach((sum, id) => {
      const centroid: SparseVector = { ids: Int32Array.from(sum.keys()), values: Float32Array.from(sum.values()) };
      this.squaredNorms[id] = centroid.values.reduce((total, v) => total + v * v, 0);
      this.centroids.add(centroid);
    });
  }

  isCandidate(key: string): boolean {
    return this.corpus.isCandidate(key);
  }

  ingest(examples: readonly Example[]): void {
    for (const example of examples) {
      if (!this.corpus.add(example)) continue;
      const vector = this.vectorizer.transform(example.query);
      const keyIds = this.keys.idsOf(example.keys);
      this.ensureCapacity();
      const { dots, touched } = this.dotsWithCentroids(vector);
      const ownNorm = vector.ids.length > 0 ? 1 : 0;
      for (const id of keyIds) this.squaredNorms[id]! += 2 * dots[id]! + ownNorm;
      for (const id of touched) dots[id] = 0;
      this.newDocs.add(vector);
      this.newDocKeys.push(keyIds);
    }
  }

  rank(queries: readonly Query[], k: number): string[][] {
    this.ensureCapacity();
    return queries.map((query) => {
      const { dots, touched } = this.dotsWithCentroids(this.vectorizer.transform(query.text));
      const scores = new Map<string, number>();
      for (const id of touched) {
        const key = this.keys.names[id]!;
        if (this.corpus.isCandidate(key)) scores.set(key, dots[id]! / Math.sqrt(this.squaredNorms[id]!));
        dots[id] = 0;
      }
      return rankByScore(scores, this.corpus, k);
    });
  }

  /**
   * q·s for the hashtags whose centroid shares a term with `vector`, in a shared array: the
   * caller must set `dots[id]` back to 0 for every touched id after reading.
   */
  private dotsWithCentroids(vector: SparseVector): { dots: Float64Array; touched: number[] } {
    const dots = this.scores;
    const touched: number[] = [];
    const add = (id: number, value: number) => {
      if (dots[id] === 0) touched.push(id);
      dots[id]! += value;
    };
    const fromTrain = this.centroids.similarities(vector);
    for (let i = 0; i < fromTrain.length; i++) add(fromTrain.docs[i]!, fromTrain.scores[i]!);
    const fromNew = this.newDocs.similarities(vector);
    for (let i = 0; i < fromNew.length; i++) {
      for (const id of this.newDocKeys[fromNew.docs[i]!]!) add(id, fromNew.scores[i]!);
    }
    return { dots, touched };
  }

  private ensureCapacity(): void {
    if (this.squaredNorms.length >= this.keys.names.length) return;
    const size = Math.max(this.keys.names.length, this.squaredNorms.length * 2, 1024);
    const norms = new Float64Array(size);
    norms.set(this.squaredNorms);
    this.squaredNorms = norms;
    this.scores = new Float64Array(size);
  }
}
