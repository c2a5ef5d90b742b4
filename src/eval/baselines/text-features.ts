import type { Example } from "../../data/examples.js";
import { BaselineCorpus, type VocabularySize } from "./corpus.js";
import { TfidfVectorizer, type SparseVector } from "./tfidf.js";

/** Hashtag keys as dense ids, so per-hashtag state can live in typed arrays. */
export class KeyTable {
  private readonly ids = new Map<string, number>();
  readonly names: string[] = [];

  idOf(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(key, id);
      this.names.push(key);
    }
    return id;
  }

  idsOf(keys: readonly string[]): Int32Array {
    return Int32Array.from(keys, (key) => this.idOf(key));
  }
}

/**
 * What the text-similarity baselines (`knn`, `centroid`) fit: the corpus counts, a TF-IDF
 * vectorizer over the deduplicated training documents (then kept fixed; later documents are
 * vectorised with it), and each document's vector and hashtag ids.
 */
export interface TextFit {
  corpus: BaselineCorpus;
  vectorizer: TfidfVectorizer;
  keys: KeyTable;
  vectors: SparseVector[];
  docKeys: Int32Array[];
}

export function fitText(train: readonly Example[], vocabularySize: VocabularySize): TextFit {
  const corpus = new BaselineCorpus(vocabularySize);
  const documents = train.filter((example) => corpus.add(example));
  const vectorizer = TfidfVectorizer.fit(documents.map((d) => d.query));
  const keys = new KeyTable();
  return {
    corpus,
    vectorizer,
    keys,
    vectors: documents.map((d) => vectorizer.transform(d.query)),
    docKeys: documents.map((d) => keys.idsOf(d.keys)),
  };
}
