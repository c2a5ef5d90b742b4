import { invalidArgument } from "../core/errors.js";
import { Recommender } from "../recommend/recommender.js";
import { Suggester } from "../recommend/suggester.js";
import { openStore } from "../trending/open-store.js";
import { parseCommandArgs, positiveInt } from "./args.js";
import { PRODUCT_FLAGS, PRODUCT_HELP, productSettings } from "./product-options.js";
import { formatTable } from "./table.js";

export const SUGGEST_HELP = `Usage: hashtag-rec suggest "TEXT" [options]

Suggests hashtags for a draft: the model's fit blended with what is trending in the store.
After a partial hashtag at the cursor ("… #anz") it completes that prefix.

  --k N                suggestions (default 5)
  --cursor N           caret position in TEXT (default: the end)
  --explain            show each suggestion's signals (model, trend, neighbours, burst, uses, centroid, classifier, cooccurrence)
  --json               print JSON ({ suggestions: [...] }) instead of a table
${PRODUCT_HELP}`;

/** `hashtag-rec suggest`. Returns the exit code. */
export async function runSuggest(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    "suggest",
    argv,
    { k: { type: "string" }, cursor: { type: "string" }, explain: { type: "boolean" }, json: { type: "boolean" }, ...PRODUCT_FLAGS },
    true,
  );
  if (values.help) {
    console.log(SUGGEST_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw invalidArgument(`suggest takes one TEXT argument (quote it), got ${positionals.length}; see 'hashtag-rec suggest --help'`);
  const text = positionals[0]!;
  if (text.trim().length === 0) throw invalidArgument("suggest: TEXT is empty; give the draft's text");
  const settings = await productSettings(values);
  const k = positiveInt("--k", values.k, 5);
  const cursor = values.cursor === undefined ? undefined : Number(values.cursor);
  const recommender = await Recommender.load(settings.model);
  const store = await openStore(settings.store, { halfLifeHours: settings.halfLifeHours }).catch(async (error: unknown) => {
    await recommender.close();
    throw error;
  });
  const suggester = new Suggester(recommender, store, { ...settings.suggester, batching: false });
  try {
    const result = await suggester.suggest({ text, k, explain: values.explain ?? false, ...(cursor === undefined ? {} : { cursor }) });
    if (values.json) {
      console.log(JSON.stringify(result));
    } else {
      if (result.completing) console.log(`completing #${result.completing.prefix}`);
      const header = ["hashtag", "score", "count", "trend"];
      if (values.explain) header.push("p_model", "p_trend", "p_neighbours", "burst", "uses", "centroid", "classifier", "cooccurrence");
      console.log(
        formatTable(
          header,
          result.suggestions.map((s) => {
            const row: (string | number)[] = [`#${s.hashtag}`, s.score, s.count, s.trend.score];
            if (s.explain) row.push(s.explain.model, s.explain.trend, s.explain.neighbours, s.explain.burst, s.explain.uses, s.explain.centroid, s.explain.classifier, s.explain.cooccurrence);
            return row;
          }),
        ),
      );
      const explained = result.suggestions[0]?.explain;
      if (explained) {
        const scaled = explained.weights.model !== suggester.weights.model;
        const factor = explained.weights.model / suggester.weights.model;
        console.log(`\nthe model knows ${(100 * explained.model_coverage).toFixed(0)}% of the trending uses${scaled ? `: its weight is scaled by ${factor.toFixed(2)}` : ""}`);
      }
    }
  } finally {
    await suggester.close();
  }
  return 0;
}
