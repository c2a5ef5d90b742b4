import { fileURLToPath } from "node:url";
import { invalidArgument } from "../core/errors.js";
import { readBlocklist } from "../data/vocabulary.js";
import { checkWeights, DEFAULT_BLEND, FULL_WEIGHT_COVERAGE, SIGNALS, type BlendWeights } from "../recommend/blend.js";
import { DEFAULT_BLEND_LEARNING_RATE } from "../recommend/online-blend.js";
import type { SuggesterOptions } from "../recommend/suggester.js";
import { DEFAULT_TREND_HALF_LIFE_HOURS } from "../trending/store.js";
import { fraction, nonNegativeNumber, positiveNumber } from "./args.js";

/** The shipped model, found from this file whether it runs from src/ or dist/src/. */
export const DEFAULT_MODEL_DIR = fileURLToPath(new URL(import.meta.url.includes("/dist/src/") ? "../../../models/default" : "../../models/default", import.meta.url));
/** The embedded trending store, in the working directory. */
export const DEFAULT_STORE = "hashtag-rec.db";

/** Flags shared by `suggest`, `serve` and `ingest`. */
export const PRODUCT_FLAGS = {
  model: { type: "string" },
  store: { type: "string" },
  "half-life": { type: "string" },
  blocklist: { type: "string" },
  weights: { type: "string" },
  "full-weight-coverage": { type: "string" },
  "blend-learning-rate": { type: "string" },
  clock: { type: "string" },
} as const;

/** The help line of `--blend-learning-rate`, shared with `eval`. */
export const BLEND_LEARNING_RATE_HELP = `  --blend-learning-rate R
                       how fast the blend's weights learn from the tweets ingested, starting from
                       --weights (default ${DEFAULT_BLEND_LEARNING_RATE}; 0 keeps them as given); what they
                       learn is kept in the store, shared by every server on it`;

export const PRODUCT_HELP = `  --model DIR          model directory (default: the shipped models/default)
  --store PATH|URL     trending store: an SQLite file, or redis://host:port for one shared by many servers (default ${DEFAULT_STORE})
  --half-life HOURS    half-life of the trending counts; a store keeps the one it was made with (default ${DEFAULT_TREND_HALF_LIFE_HOURS})
  --blocklist FILE     hashtags never suggested nor counted, one a line
  --weights W          blend weights, e.g. ${example()} (the defaults)
  --full-weight-coverage C
                       the model keeps its whole weight while at least this share of the trending
                       uses are of hashtags it knows; below, its weight falls in proportion
                       (default ${FULL_WEIGHT_COVERAGE}; 0 keeps it whole)
${BLEND_LEARNING_RATE_HELP}
  --clock wall|data    what "now" is for the trend sparklines: the clock, or the latest tweet ingested (replaying old data)`;

interface ProductValues {
  model?: string | undefined;
  store?: string | undefined;
  "half-life"?: string | undefined;
  blocklist?: string | undefined;
  weights?: string | undefined;
  "full-weight-coverage"?: string | undefined;
  "blend-learning-rate"?: string | undefined;
  clock?: string | undefined;
}

export interface ProductSettings {
  model: string;
  store: string;
  halfLifeHours: number;
  suggester: SuggesterOptions;
}

/** Resolves the shared flags into settings, with every default filled in. */
export async function productSettings(values: ProductValues): Promise<ProductSettings> {
  const clock = values.clock ?? "wall";
  if (clock !== "wall" && clock !== "data") throw invalidArgument(`--clock must be 'wall' or 'data', got '${clock}'`);
  return {
    model: values.model ?? DEFAULT_MODEL_DIR,
    store: values.store ?? DEFAULT_STORE,
    halfLifeHours: positiveNumber("--half-life", values["half-life"], DEFAULT_TREND_HALF_LIFE_HOURS),
    suggester: {
      weights: parseWeights(values.weights),
      fullWeightCoverage: fraction("--full-weight-coverage", values["full-weight-coverage"], FULL_WEIGHT_COVERAGE),
      blendLearningRate: blendLearningRate(values["blend-learning-rate"]),
      clock,
      ...(values.blocklist === undefined ? {} : { blocklist: await readBlocklist(values.blocklist) }),
    },
  };
}

/** `--blend-learning-rate R`, checked. */
export function blendLearningRate(value: string | undefined): number {
  return nonNegativeNumber("--blend-learning-rate", value, DEFAULT_BLEND_LEARNING_RATE);
}

/** `model=0.5,neighbours=1` → weights; signals left out weigh 0; unknown names are errors. */
export function parseWeights(value: string | undefined): BlendWeights {
  if (value === undefined) return { ...DEFAULT_BLEND };
  const weights = Object.fromEntries(SIGNALS.map((signal) => [signal, 0])) as BlendWeights;
  for (const part of value.split(",")) {
    const [name, raw] = part.split("=").map((s) => s.trim());
    if (!(SIGNALS as readonly (string | undefined)[]).includes(name)) {
      throw invalidArgument(`--weights: unknown signal '${name}'; signals: ${SIGNALS.join(", ")} (e.g. ${example()})`);
    }
    const weight = Number(raw);
    if (raw === undefined || raw === "" || !Number.isFinite(weight)) throw invalidArgument(`--weights: '${part}' needs a number, e.g. ${name}=0.5`);
    weights[name as keyof BlendWeights] = weight;
  }
  return checkWeights(weights);
}

function example(): string {
  return SIGNALS.map((signal) => `${signal}=${DEFAULT_BLEND[signal]}`).join(",");
}
