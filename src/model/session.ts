import * as ort from "onnxruntime-node";
import { HashtagRecError } from "../core/errors.js";
import { softmaxRows } from "./softmax.js";

/** What the recommender graph says of a batch of rows. */
export interface RecommenderOutputs {
  /** [batch, num_hashtags], row-major: each hashtag's probability at each row's [MASK]. */
  hashtagProbabilities: Float32Array;
}

const INPUTS = ["input_ids", "attention_mask"] as const;
/** Required: `mask_hidden_state` is in every export too, but serving does not read it. */
const OUTPUTS = ["hashtag_logits"] as const;
/** In graphs exported since it was added; older ones get the softmax of their logits here. */
const PROBABILITIES = "hashtag_probabilities";

export interface SessionOptions {
  /** Threads for one inference (default 2). */
  threads?: number;
}

/**
 * The ONNX Runtime session of a recommender graph (`input_ids`, `attention_mask` →
 * `hashtag_logits`, `mask_hidden_state`, and `hashtag_probabilities` in graphs exported since it
 * was added). Only the probabilities are fetched. Inputs are checked before the call, and a
 * failure names the input, its type and its shape.
 */
export class RecommenderSession {
  private readonly hasProbabilities: boolean;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly path: string,
  ) {
    this.hasProbabilities = session.outputNames.includes(PROBABILITIES);
  }

  static async create(path: string, options: SessionOptions = {}): Promise<RecommenderSession> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(path, {
        intraOpNumThreads: options.threads ?? 2,
        interOpNumThreads: 1,
        graphOptimizationLevel: "all",
        executionMode: "sequential",
        // Idle pool threads sleep instead of spinning: a spinning thread held most of a core
        // that the server's JavaScript needed (bench/README.md "Speed and load").
        extra: { session: { intra_op: { allow_spinning: "0" }, inter_op: { allow_spinning: "0" } } },
      });
    } catch (error) {
      throw new HashtagRecError("MODEL_INVALID", `cannot load ONNX graph '${path}': ${(error as Error).message}`, { cause: error });
    }
    for (const name of INPUTS) {
      if (!session.inputNames.includes(name)) {
        throw new HashtagRecError("MODEL_INVALID", `ONNX graph '${path}' has no input '${name}' (inputs: ${session.inputNames.join(", ")})`);
      }
    }
    for (const name of OUTPUTS) {
      if (!session.outputNames.includes(name)) {
        throw new HashtagRecError("MODEL_INVALID", `ONNX graph '${path}' has no output '${name}' (outputs: ${session.outputNames.join(", ")})`);
      }
    }
    return new RecommenderSession(session, path);
  }

  /** Runs `batch` rows of `sequenceLength` token ids (int64, row-major). */
  async run(inputIds: BigInt64Array, attentionMask: BigInt64Array, batch: number, sequenceLength: number): Promise<RecommenderOutputs> {
    const expected = batch * sequenceLength;
    for (const [name, data] of [
      ["input_ids", inputIds],
      ["attention_mask", attentionMask],
    ] as const) {
      if (data.length !== expected) {
        throw new HashtagRecError(
          "INTERNAL",
          `input '${name}' (int64) has ${data.length} values, but its shape [${batch}, ${sequenceLength}] needs ${expected}`,
        );
      }
    }
    const feeds = {
      input_ids: new ort.Tensor("int64", inputIds, [batch, sequenceLength]),
      attention_mask: new ort.Tensor("int64", attentionMask, [batch, sequenceLength]),
    };
    if (this.hasProbabilities) {
      const out = await this.session.run(feeds, [PROBABILITIES]);
      return { hashtagProbabilities: out[PROBABILITIES]!.data as Float32Array };
    }
    const out = await this.session.run(feeds, ["hashtag_logits"]);
    const logits = out.hashtag_logits!;
    return { hashtagProbabilities: softmaxRows(logits.data as Float32Array, batch, logits.dims[1]!) };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
