import { MAX_K } from "../recommend/suggester.js";
import { FULL_WEIGHT_COVERAGE, SIGNALS } from "../recommend/blend.js";

/** Longest draft `/v1/suggest` takes, in characters (posts elsewhere run longer than tweets). */
export const MAX_TEXT_LENGTH = 5000;
/** Most tweets in one `POST /v1/tweets`. */
export const MAX_INGEST_BATCH = 1000;
/** Request body limits, in bytes. */
export const SUGGEST_BODY_LIMIT = 32 * 1024;
export const INGEST_BODY_LIMIT = 1024 * 1024;

/** One number per blend signal (an explanation's contributions and weights). */
const perSignal = () => Object.fromEntries(SIGNALS.map((signal) => [signal, { type: "number" }]));

const suggestion = {
  type: "object",
  required: ["hashtag", "key", "score", "count", "trend"],
  properties: {
    hashtag: { type: "string", description: "display casing, without #" },
    key: { type: "string", description: "lookup key: NFKC, lower case" },
    score: { type: "number", description: "probability among the draft's candidates: softmax of the log-linear blend of the signals (see explain)" },
    count: { type: "integer", description: "uses ingested (or, if never ingested, in the model's training data)" },
    trend: {
      type: "object",
      required: ["score", "series"],
      properties: {
        score: { type: "number", description: "time-decayed uses now" },
        series: { type: "array", items: { type: "integer" }, description: "uses per hour, last 24 h, oldest first" },
      },
    },
    explain: {
      type: "object",
      description: "each signal, its weighted contribution to the logit (they add up to it), and the logit",
      properties: {
        model: { type: "number", description: "the model's probability" },
        trend: { type: "number", description: "share of recent, time-decayed uses" },
        neighbours: { type: "number", description: "share of the votes of recent look-alike tweets" },
        burst: { type: "integer", description: "tweets among the last ingested that used it" },
        uses: { type: "integer", description: "all uses ingested (trending hashtags)" },
        centroid: { type: "number", description: "cosine with the centroid of the recent tweets (48 h) that used it" },
        classifier: { type: "number", description: "score from the classifier trained online on the ingested tweets (words to hashtags)" },
        cooccurrence: { type: "number", description: "share of the recent tweets with a hashtag already in the draft that also used it (0 when the draft has none)" },
        contributions: { type: "object", properties: perSignal() },
        logit: { type: "number" },
        model_coverage: {
          type: "number",
          description: `share of the trending uses that go to hashtags the model knows; below the server's full-weight coverage (${FULL_WEIGHT_COVERAGE} by default), the model's weight is multiplied by model_coverage divided by that coverage`,
        },
        weights: {
          type: "object",
          description: "the weights of the contributions: the blend's as learned from the stream so far, the model's scaled by its coverage (a completion with no words in the draft: the trend alone)",
          properties: perSignal(),
        },
      },
    },
  },
} as const;

const error = {
  type: "object",
  required: ["error"],
  properties: { error: { type: "object", required: ["code", "message"], properties: { code: { type: "string" }, message: { type: "string" } } } },
} as const;

const errors = { "4xx": error, "5xx": error } as const;

export const suggestSchema = {
  summary: "Hashtags for a draft",
  body: {
    type: "object",
    required: ["text"],
    additionalProperties: false,
    properties: {
      text: { type: "string", minLength: 1, maxLength: MAX_TEXT_LENGTH },
      k: { type: "integer", minimum: 1, maximum: MAX_K, default: 5 },
      cursor: { type: "integer", minimum: 0, description: "caret position; after #ma it completes the prefix (default: end)" },
      explain: { type: "boolean", default: false },
    },
  },
  response: {
    200: {
      type: "object",
      required: ["suggestions", "took_ms"],
      properties: {
        suggestions: { type: "array", items: suggestion },
        completing: { type: "object", properties: { prefix: { type: "string" }, start: { type: "integer" }, end: { type: "integer" } } },
        took_ms: { type: "number" },
      },
    },
    ...errors,
  },
} as const;

export const hashtagsSchema = {
  summary: "Complete a hashtag prefix, ranked by trend and, given text, by fit",
  querystring: {
    type: "object",
    additionalProperties: false,
    properties: {
      prefix: { type: "string", maxLength: 140, default: "" },
      // Query strings are text: k is checked as an integer (1 to MAX_K) by the handler.
      k: { type: "string", pattern: "^-?[0-9]{1,9}$", default: "10", description: `integer from 1 to ${MAX_K}` },
      text: { type: "string", maxLength: MAX_TEXT_LENGTH, description: "the draft, for context" },
    },
  },
  response: {
    200: { type: "object", required: ["hashtags"], properties: { hashtags: { type: "array", items: suggestion } } },
    ...errors,
  },
} as const;

export const tweetsSchema = {
  summary: "Ingest tweets into the trending store",
  body: {
    type: "object",
    required: ["tweets"],
    additionalProperties: false,
    properties: {
      tweets: {
        type: "array",
        minItems: 1,
        maxItems: MAX_INGEST_BATCH,
        items: {
          type: "object",
          required: ["text"],
          additionalProperties: false,
          properties: {
            id: { type: "string", minLength: 1, maxLength: 128 },
            text: { type: "string", maxLength: MAX_TEXT_LENGTH, description: "the post: plain text, or HTML as in a Mastodon status's content" },
            time: { anyOf: [{ type: "string", format: "date-time" }, { type: "number" }], description: "ISO 8601 or ms since the epoch (default: now); at most 24 h past the server's clock" },
          },
        },
      },
    },
  },
  response: {
    200: { type: "object", required: ["ingested", "hashtag_uses"], properties: { ingested: { type: "integer" }, hashtag_uses: { type: "integer" } } },
    ...errors,
  },
} as const;

export const healthSchema = {
  summary: "Liveness, and which server process answered",
  response: { 200: { type: "object", properties: { status: { type: "string" }, pid: { type: "integer" } } } },
} as const;

export const blendSchema = {
  summary: "The blend's weights now, as learned from the tweets ingested by every server on the store (kept in it: a restart goes on from them)",
  response: {
    200: {
      type: "object",
      properties: {
        weights: { type: "object", properties: perSignal(), description: "the blend's weights now (before the model's is scaled by its coverage)" },
        lessons: { type: "integer", description: "tweets the weights have learned from, since the store began to keep them for these initial weights" },
        learning_rate: { type: "number", description: "0: the weights stay as given" },
        pid: { type: "integer", description: "the process that answered (`serve --workers`: every worker gives the same weights)" },
      },
    },
  },
} as const;

export const readySchema = {
  summary: "Readiness: the model is loaded and the trending store answers",
  response: {
    200: { type: "object", properties: { status: { type: "string" }, store: { type: "string" }, model: { type: "string" } } },
    503: { type: "object", properties: { status: { type: "string" }, store: { type: "string" }, model: { type: "string" }, reason: { type: "string" } } },
  },
} as const;
