import { existsSync } from "node:fs";
import { HashtagRecError, invalidArgument } from "../core/errors.js";
import { loadModelDirectory } from "../model/model-dir.js";
import { SIGNALS } from "../recommend/blend.js";
import { OnlineBlend } from "../recommend/online-blend.js";
import { SharedBlend } from "../recommend/shared-blend.js";
import { isRedisUrl, openStore } from "../trending/open-store.js";
import { DEFAULT_TREND_HALF_LIFE_HOURS } from "../trending/store.js";
import { parseCommandArgs, positiveNumber } from "./args.js";
import { DEFAULT_MODEL_DIR, DEFAULT_STORE, parseWeights } from "./product-options.js";
import { formatTable } from "./table.js";

export const BLEND_HELP = `Usage: hashtag-rec blend [options]

Shows the blend's weights as the servers on a trending store have learned them from the tweets
ingested, next to the weights they started from; --reset sets them back to where they started
(each server on the store takes that up at its next request). The store keeps what was learned
under a name made of the starting weights and the model's fingerprint, shown after the table.

  --store PATH|URL     trending store: an SQLite file or redis://host:port (default ${DEFAULT_STORE})
  --model DIR          the model the servers rank with (default: the shipped models/default)
  --half-life HOURS    the store's half-life (default ${DEFAULT_TREND_HALF_LIFE_HOURS})
  --weights W          the weights the servers started from (their --weights; default the defaults);
                       the store keeps what was learned with each model and each start apart
  --reset              forget what was learned: back to --weights
  --json               print JSON ({ name, weights, initial, lessons }) instead of a table`;

/** `hashtag-rec blend`. Returns the exit code. */
export async function runBlend(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    "blend",
    argv,
    { store: { type: "string" }, model: { type: "string" }, "half-life": { type: "string" }, weights: { type: "string" }, reset: { type: "boolean" }, json: { type: "boolean" } },
    false,
  );
  if (values.help) {
    console.log(BLEND_HELP);
    return 0;
  }
  const location = values.store ?? DEFAULT_STORE;
  const halfLifeHours = positiveNumber("--half-life", values["half-life"], DEFAULT_TREND_HALF_LIFE_HOURS);
  const blend = new OnlineBlend(parseWeights(values.weights));
  if (!blend.learning) throw invalidArgument("blend: a blend of one signal does not learn, so the store keeps nothing for it");
  if (!isRedisUrl(location) && location !== ":memory:" && !existsSync(location)) {
    throw new HashtagRecError("FILE_NOT_FOUND", `blend: there is no trending store at '${location}' (give --store PATH or a redis:// URL)`);
  }
  const model = await loadModelDirectory(values.model ?? DEFAULT_MODEL_DIR);
  const store = await openStore(location, { halfLifeHours });
  try {
    const shared = new SharedBlend(blend, store, model.fingerprint);
    const stored = (await store.readShared(shared.name)) !== undefined;
    if (values.reset) {
      // A reset of nothing would only add a state no server reads: the model or the weights are not the servers'.
      if (!stored) throw new HashtagRecError("NOT_FOUND", `blend: nothing is learned in '${location}' for these weights and this model ('${shared.name}'); give the servers' --model and --weights`);
      await shared.reset();
    } else await shared.refresh();
    const { weights, initial, learned: lessons } = blend;
    if (values.json) {
      console.log(JSON.stringify({ name: shared.name, weights, initial, lessons }));
    } else {
      console.log(formatTable(["signal", "learned", "initial"], SIGNALS.map((signal) => [signal, weights[signal].toFixed(4), initial[signal].toFixed(4)])));
      const what = values.reset ? "reset" : stored ? `learned from ${lessons} tweet${lessons === 1 ? "" : "s"}` : "nothing learned yet";
      console.log(`\n${what} (${shared.name} in ${location})`);
    }
  } finally {
    await store.close();
  }
  return 0;
}
