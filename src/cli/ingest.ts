import { invalidArgument } from "../core/errors.js";
import { ProgressBar } from "../core/progress.js";
import { openTweets } from "../data/readers.js";
import { readBlocklist } from "../data/vocabulary.js";
import { isTooFarAhead, toIngestTweets, type IncomingTweet } from "../trending/incoming.js";
import { openStore } from "../trending/open-store.js";
import { DEFAULT_TREND_HALF_LIFE_HOURS } from "../trending/store.js";
import { parseCommandArgs, positiveInt, positiveNumber } from "./args.js";
import { fieldOptions, FIELD_FLAGS, FIELD_HELP } from "./fields.js";
import { DEFAULT_STORE } from "./product-options.js";

export const INGEST_HELP = `Usage: hashtag-rec ingest FILE [options]

Adds tweets to the trending store with their times (tweets without one count as now; tweets
dated more than 24 h past now are skipped, and counted). A tweet whose id is already in the
store is skipped, so a file can be ingested again safely.

  --store PATH|URL     an SQLite file or redis://host:port (default ${DEFAULT_STORE})
  --half-life HOURS    half-life of the trending counts (default ${DEFAULT_TREND_HALF_LIFE_HOURS})
  --blocklist FILE     hashtags never counted, one a line
  --batch N            tweets per transaction (default 1000)
${FIELD_HELP}`;

/** `hashtag-rec ingest`. Returns the exit code. */
export async function runIngest(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    "ingest",
    argv,
    { store: { type: "string" }, "half-life": { type: "string" }, blocklist: { type: "string" }, batch: { type: "string" }, ...FIELD_FLAGS },
    true,
  );
  if (values.help) {
    console.log(INGEST_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw invalidArgument(`ingest takes one FILE, got ${positionals.length}; see 'hashtag-rec ingest --help'`);
  const batchSize = positiveInt("--batch", values.batch, 1000);
  const blocklist = values.blocklist === undefined ? undefined : await readBlocklist(values.blocklist);
  const source = await openTweets(positionals[0]!, fieldOptions(values));
  const store = await openStore(values.store ?? DEFAULT_STORE, {
    halfLifeHours: positiveNumber("--half-life", values["half-life"], DEFAULT_TREND_HALF_LIFE_HOURS),
  });
  const totals = { tweets: 0, hashtagUses: 0, duplicates: 0, undated: 0, ahead: 0 };
  const bar = new ProgressBar({ label: "ingest" });
  const now = Date.now();
  let batch: IncomingTweet[] = [];
  const flush = async () => {
    const result = await store.ingest(toIngestTweets(batch, { now, ...(blocklist ? { blocklist } : {}) }), { skipDuplicates: true });
    totals.tweets += result.tweets;
    totals.hashtagUses += result.hashtagUses;
    totals.duplicates += result.duplicates;
    batch = [];
    bar.update(totals.tweets + totals.duplicates);
  };
  try {
    for await (const tweet of source.rows) {
      if (tweet.createdAt === undefined) totals.undated++;
      else if (isTooFarAhead(tweet.createdAt, now)) {
        totals.ahead++;
        continue;
      }
      // Readers name id-less rows by their line; those are not ids to deduplicate on.
      const id = tweet.id.startsWith("line-") ? undefined : tweet.id;
      batch.push({ text: tweet.text, ...(id === undefined ? {} : { id }), ...(tweet.createdAt === undefined ? {} : { time: tweet.createdAt }) });
      if (batch.length >= batchSize) await flush();
    }
    if (batch.length > 0) await flush();
  } finally {
    bar.finish();
    await store.close();
  }
  console.log(
    `ingested ${totals.tweets} tweets (${totals.hashtagUses} hashtag uses) into ${values.store ?? DEFAULT_STORE}; ` +
      `${totals.duplicates} already there; ${totals.undated} without a time counted as now; ` +
      `${totals.ahead} dated more than 24 h past now skipped; ${source.malformed.summary()}`,
  );
  return 0;
}
