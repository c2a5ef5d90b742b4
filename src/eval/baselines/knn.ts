import type { Example } from "../../data/examples.js";
import type { Query, Ranker } from "../ranker.js";
import { rankByScore, type BaselineCorpus, type VocabularySize } from "./corpus.js";
import { DocumentIndex, topSimilar } from "./document-index.js";
import { fitText, type KeyTable } from "./text-features.js";
import type { TfidfVectorizer } from "./tfidf.js";

/**
 * `knn`: the `neighbours` training tweets most similar to the query (exact cosine over TF-IDF
 * unigrams and bigrams, through an inverted index) vote for their hashtags with their
 * similarity. Online, every new deduplicated tweet joins the index.
 */
export class KnnBaseline implements Ranker {
  readonly name = "knn";
  private readonly corpus: BaselineCorpus;
  private readonly vectorizer: TfidfVectorizer;
  private readonly keys: KeyTable;
  private readonly docKeys: Int32Array[];
  private readonly index = new DocumentIndex();

  constructor(
    train: readonly Example[],
    vocabularySize: VocabularySize,
    private readonly neighbours = 50,
  ) {
    const fit = fitText(train, vocabularySize);
    this.corpus = fit.corpus;
    this.vectorizer = fit.vectorizer;
    this.keys = fit.keys;
    this.docKeys = fit.docKeys;
    for (const vector of fit.vectors) this.index.add(vector);
  }

  isCandidate(key: string): boolean {
    return this.corpus.isCandidate(key);
  }

  ingest(examples: readonly Example[]): void {
    for (const example of examples) {
      if (!this.corpus.add(example)) continue;
      this.index.add(this.vectorizer.transform(example.query));
      this.docKeys.push(this.keys.idsOf(example.keys));
    }
  }

  /**
   * Each hashtag the `neighbours` most similar indexed tweets use, with the sum of their
   * similarities to `text` (every hashtag, candidate or not).
   */
  votes(text: string): Map<string, number> {
    const similarities = this.index.similarities(this.vectorizer.transform(text));
    const votes = new Map<string, number>();
    for (const i of topSimilar(similarities, this.neighbours)) {
      const similarity = similarities.scores[i]!;
      for (const id of this.docKeys[similarities.docs[i]!]!) {
        const key = this.keys.names[id]!;
        votes.set(key, (votes.get(key) ?? 0) + similarity);
      }
    }
    return votes;
  }

  rank(queries: readonly Query[], k: number): string[][] {
    return queries.map((query) => {
      const votes = this.votes(query.text);
      for (const key of votes.keys()) if (!this.corpus.isCandidate(key)) votes.delete(key);
      return rankByScore(votes, this.corpus, k);
    });
  }
}
