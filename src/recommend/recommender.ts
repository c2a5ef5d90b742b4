import { invalidArgument } from "../core/errors.js";
import { analyzeText } from "../data/clean.js";
import type { HashtagEntry } from "../data/vocabulary.js";
import { loadModelDirectory, type ModelDirectory } from "../model/model-dir.js";
import { RecommenderSession } from "../model/session.js";
import { HashtagTokenizer } from "../tokenizer/hashtag-tokenizer.js";
import { topK } from "./top-k.js";

/** One suggested hashtag. `score` is the model's probability over its hashtag set. */
export interface Suggestion {
  /** Display casing, without `#`. */
  hashtag: string;
  key: string;
  score: number;
  /** Tweets that used it in the training data. */
  count: number;
}

/** A draft to score: its text and, optionally, where the hashtag would go. */
export interface Draft {
  text: string;
  maskAt?: number | undefined;
  /** The text is already cleaned (as the evaluation harness gives it): use it as the query. */
  cleaned?: boolean;
}

/** The model's view of one draft. */
export interface ScoredDraft {
  /** The cleaned text without its hashtags (what the stream's signals read; the model read it with them). */
  query: string;
  /** Keys of the hashtags already in the draft. */
  present: string[];
  /**
   * Probability per model hashtag, in token order: a view of its model run's output, which it
   * keeps alive (about 40 KB a draft of that run; copy it to keep one draft's for long).
   */
  probabilities: Float32Array;
}

export interface RecommendOptions {
  /** Suggestions per text (default 10, at most the number of hashtags). */
  k?: number;
  /** Character position in the text where the hashtag would go (default: the end). */
  maskAt?: number;
  /** Keys never to suggest, besides the hashtags already in the text. */
  exclude?: Iterable<string>;
}

export interface LoadRecommenderOptions {
  /** ONNX Runtime threads per inference (default 2). */
  threads?: number;
  /** A graph inside the model directory (default `onnx/recommender_int8.onnx`, else the fp32 one). */
  graph?: string;
}

/** A draft as the model and the stream's signals read it (see `Recommender.query`). */
interface DraftQuery {
  query: string;
  present: string[];
  input: { text: string; maskAt: number | undefined };
}

/** Cleaned text on each side of the caret, joined, and where the caret is in the join. */
function around(left: string, right: string): { text: string; maskAt: number } {
  return { text: right.length > 0 ? `${left} ${right}`.trimStart() : left, maskAt: left.length };
}

/**
 * The most rows in one ONNX Runtime run. A batch is sorted by length and run in groups of this
 * many, so that each row is padded only to the longest of its group: on 64 real drafts that is
 * 24 token positions a draft instead of 40, and 30% less time (bench/model-runs.ts).
 */
const RUN_ROWS = 16;
/** Which 32-bit half of an int64 holds its low bits on this machine. */
const LOW_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/**
 * Text → ranked hashtags, with the hashtag masked-LM: the post is cleaned (the same function as
 * training and evaluation), a `[MASK]` goes at the end (or at `maskAt`), and the model's logits
 * at the `[MASK]`, limited to hashtag tokens, become probabilities. Hashtags already in the text
 * are not suggested.
 *
 * @example
 * ```ts
 * const r = await Recommender.load("models/default");
 * await r.recommend("Lest we forget. Dawn service at the memorial", { k: 3 });
 * // [{ hashtag: "AnzacDay", key: "anzacday", score: 0.41, count: 1830 }, …]
 * await r.recommend(["first post", "second post"]); // one list per text
 * ```
 */
export class Recommender {
  private readonly keyIndex: Map<string, number>;

  private constructor(
    readonly model: ModelDirectory,
    private readonly tokenizer: HashtagTokenizer,
    private readonly session: RecommenderSession,
  ) {
    this.keyIndex = new Map(model.hashtags.map((h, i) => [h.key, i]));
  }

  static async load(dir: string, options: LoadRecommenderOptions = {}): Promise<Recommender> {
    const model = await loadModelDirectory(dir, options.graph);
    const tokenizer = await HashtagTokenizer.fromFile(model.tokenizerPath, { maxLength: model.config.max_length });
    const session = await RecommenderSession.create(model.graphPath, options.threads === undefined ? {} : { threads: options.threads });
    return new Recommender(model, tokenizer, session);
  }

  /** The model's hashtags in token order. */
  get hashtags(): readonly HashtagEntry[] {
    return this.model.hashtags;
  }

  /** Whether `key` is one of the model's hashtags. */
  hasHashtag(key: string): boolean {
    return this.keyIndex.has(key);
  }

  recommend(text: string, options?: RecommendOptions): Promise<Suggestion[]>;
  recommend(texts: readonly string[], options?: RecommendOptions): Promise<Suggestion[][]>;
  async recommend(input: string | readonly string[], options: RecommendOptions = {}): Promise<Suggestion[] | Suggestion[][]> {
    const texts = typeof input === "string" ? [input] : input;
    if (!Array.isArray(texts) || texts.some((t) => typeof t !== "string")) throw invalidArgument("recommend takes a string or an array of strings");
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 1) throw invalidArgument(`k must be a positive integer, got '${k}'`);
    if (options.maskAt !== undefined && texts.length !== 1) throw invalidArgument("maskAt applies to a single text");
    const results = await this.rankScored(texts, k, options);
    return typeof input === "string" ? results[0]! : results;
  }

  /**
   * Ranks hashtags for queries that are already cleaned (as the evaluation harness gives them):
   * keys only, best first; with `allowed`, only the keys it accepts (a shared vocabulary).
   */
  async rankCleanQueries(queries: readonly string[], k: number, allowed?: (key: string) => boolean): Promise<string[][]> {
    const scored = await this.score(queries.map((text) => ({ text, cleaned: true })));
    const skip = allowed && ((i: number) => !allowed(this.model.hashtags[i]!.key));
    return scored.map(({ probabilities: probs }) => topK(probs, Math.min(k, probs.length), skip).map((i) => this.model.hashtags[i]!.key));
  }

  /**
   * The model's probability over all its hashtags for each draft, in token order (see
   * {@link hashtags}), with the hashtags already in the draft. Drafts of similar length share
   * a run of ONNX Runtime, up to 16 a run; the product's dynamic batcher and ranking build on this.
   */
  async score(drafts: readonly Draft[]): Promise<ScoredDraft[]> {
    const queries = drafts.map((draft): DraftQuery =>
      draft.cleaned ? { query: draft.text, present: [], input: { text: draft.text, maskAt: undefined } } : this.query(draft.text, draft.maskAt),
    );
    const rows = queries.map((q) => this.tokenizer.encodeQuery(q.input.text, { maskAt: q.input.maskAt }).input_ids);
    const byLength = [...rows.keys()].sort((a, b) => rows[a]!.length - rows[b]!.length);
    const probabilities: Float32Array[] = new Array(rows.length);
    for (let start = 0; start < byLength.length; start += RUN_ROWS) {
      const group = byLength.slice(start, start + RUN_ROWS);
      const outputs = await this.run(group.map((i) => rows[i]!));
      group.forEach((i, n) => (probabilities[i] = outputs[n]!));
    }
    return queries.map((q, i) => ({ query: q.query, present: q.present, probabilities: probabilities[i]! }));
  }

  /** The token-order index of a hashtag key, if the model has it. */
  indexOf(key: string): number | undefined {
    return this.keyIndex.get(key);
  }

  /**
   * A draft's cleaned query (no hashtags: what the stream's signals read) and the model's input:
   * the cleaned text with the draft's hashtags kept where they are, and where the `[MASK]` goes in
   * it. A hashtag already typed tells the model what goes with it: the model alone on drafts with
   * their first hashtag typed scored hit@5 0.194 with it against 0.169 without on the validation
   * days (bench/README.md "Hashtags already in the draft").
   */
  private query(text: string, maskAt: number | undefined): DraftQuery {
    if (maskAt === undefined) {
      const { query, withHashtags, keys } = analyzeText(text);
      return { query, present: keys, input: { text: withHashtags, maskAt: undefined } };
    }
    if (!Number.isInteger(maskAt) || maskAt < 0 || maskAt > text.length) {
      throw invalidArgument(`maskAt must be an integer from 0 to ${text.length} (the text's length), got '${maskAt}'`);
    }
    const left = analyzeText(text.slice(0, maskAt));
    const right = analyzeText(text.slice(maskAt));
    return { query: around(left.query, right.query).text, present: [...left.keys, ...right.keys], input: around(left.withHashtags, right.withHashtags) };
  }

  /** One ONNX Runtime run over token-id rows, each padded to the longest. */
  private async run(rows: readonly (readonly number[])[]): Promise<Float32Array[]> {
    const length = Math.max(...rows.map((ids) => ids.length));
    const batch = rows.length;
    const inputIds = new BigInt64Array(batch * length);
    const attentionMask = new BigInt64Array(batch * length);
    // The int64s are written through 32-bit views of their low halves: a BigInt per token id was
    // an allocation each (ids and the mask's 1 fit in 31 bits; the high halves stay 0).
    const idWords = new Int32Array(inputIds.buffer);
    const maskWords = new Int32Array(attentionMask.buffer);
    rows.forEach((ids, row) => {
      for (let col = 0; col < ids.length; col++) {
        const at = 2 * (row * length + col) + LOW_WORD;
        idWords[at] = ids[col]!;
        maskWords[at] = 1;
      }
    });
    const { hashtagProbabilities } = await this.session.run(inputIds, attentionMask, batch, length);
    const size = this.model.config.num_hashtags;
    // A view per draft, not a copy: copies doubled the array buffers made per second, and their
    // memory (outside V8's heap) brought on mark-compacts in bursts under load (bench/README.md "Speed and load").
    return rows.map((_, row) => hashtagProbabilities.subarray(row * size, (row + 1) * size));
  }

  private async rankScored(texts: readonly string[], k: number, options: RecommendOptions): Promise<Suggestion[][]> {
    const scored = await this.score(texts.map((text) => ({ text, maskAt: options.maskAt })));
    const excluded = new Set(options.exclude ?? []);
    return scored.map(({ probabilities: probs, present: inText }) => {
      const present = new Set([...excluded, ...inText]);
      const skip = (i: number) => present.has(this.model.hashtags[i]!.key);
      return topK(probs, Math.min(k, probs.length), skip).map((i) => {
        const entry = this.model.hashtags[i]!;
        return { hashtag: entry.display, key: entry.key, score: probs[i]!, count: entry.count };
      });
    });
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
