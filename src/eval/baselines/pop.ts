import type { Example } from "../../data/examples.js";
import type { Query, Ranker } from "../ranker.js";
import { BaselineCorpus, type VocabularySize } from "./corpus.js";

/** `pop`: the most used hashtags overall, the same for every query. */
export class PopBaseline implements Ranker {
  readonly name = "pop";
  private readonly corpus: BaselineCorpus;

  constructor(train: readonly Example[], vocabularySize: VocabularySize) {
    this.corpus = new BaselineCorpus(vocabularySize);
    this.ingest(train);
  }

  isCandidate(key: string): boolean {
    return this.corpus.isCandidate(key);
  }

  ingest(examples: readonly Example[]): void {
    for (const example of examples) this.corpus.add(example);
  }

  rank(queries: readonly Query[], k: number): string[][] {
    const ranked = this.corpus.fillWithPopular([], k);
    return queries.map(() => ranked);
  }
}
