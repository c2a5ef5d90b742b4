import { constants as osConstants } from "node:os";
import { invalidArgument } from "../core/errors.js";
import { ProgressBar } from "../core/progress.js";
import { STDIN } from "../data/lines.js";
import { openTweets } from "../data/readers.js";
import { readBlocklist } from "../data/vocabulary.js";
import { isTooFarAhead, toIngestTweets, type IncomingTweet } from "../trending/incoming.js";
import { openStore } from "../trending/open-store.js";
import { DEFAULT_TREND_HALF_LIFE_HOURS } from "../trending/store.js";
import { parseCommandArgs, positiveInt, positiveNumber } from "./args.js";
import { fieldOptions, FIELD_FLAGS, FIELD_HELP } from "./fields.js";
import { DEFAULT_STORE } from "./product-options.js";

export const INGEST_HELP = `Usage: hashtag-rec ingest FILE [options]
       some-stream | hashtag-rec ingest - [options]

Adds tweets to the trending store with their times (tweets without one count as now; tweets
dated more than 24 h past now are skipped, and counted). A tweet whose id is already in the
store is skipped, so a file can be ingested again safely. FILE '-' reads standard input (JSON
lines or CSV, plain or gzip; a file named '-' is ./-) as it comes: a batch is written once it
holds --batch tweets or its first tweet has waited a second, so each line of a live stream is
in the store about a second after it ends. SIGINT or SIGTERM stops the reading: the tweets read
so far are written (lines still in the pipe are not read), and the exit code is 130 or 143.

  --store PATH|URL     an SQLite file or redis://host:port (default ${DEFAULT_STORE})
  --half-life HOURS    half-life of the trending counts (default ${DEFAULT_TREND_HALF_LIFE_HOURS})
  --blocklist FILE     hashtags never counted, one a line
  --batch N            tweets per transaction (default 1000)
${FIELD_HELP}`;

/** The longest a tweet read waits for its batch to be written (a live stream on standard input). */
const FLUSH_AFTER_MS = 1000;

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
  let batch: IncomingTweet[] = [];
  /** When the batch's first tweet was read. */
  let batchStarted = 0;
  const flush = async () => {
    const result = await store.ingest(toIngestTweets(batch, { now: Date.now(), ...(blocklist ? { blocklist } : {}) }), { skipDuplicates: true });
    totals.tweets += result.tweets;
    totals.hashtagUses += result.hashtagUses;
    totals.duplicates += result.duplicates;
    batch = [];
    bar.update(totals.tweets + totals.duplicates);
  };
  // A signal stops the reading: the tweets read so far are written, the store closed, and the exit
  // code says which signal (a second one kills, as the handlers are gone by then).
  let stoppedBy: NodeJS.Signals | undefined;
  /** Ends the current wait for a row early (a signal, or the batch's time is up). */
  let interrupt: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy = signal;
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
    interrupt?.();
  };
  process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
  const rows = source.rows[Symbol.asyncIterator]();
  try {
    let next = rows.next();
    while (stoppedBy === undefined) {
      // A batch is written once it is full, or once its first tweet has waited FLUSH_AFTER_MS for more.
      let timer: NodeJS.Timeout | undefined;
      const interrupted = new Promise<"interrupted">((resolve) => {
        interrupt = () => resolve("interrupted");
        if (batch.length > 0) timer = setTimeout(interrupt, batchStarted + FLUSH_AFTER_MS - Date.now());
      });
      const got = await Promise.race([next, interrupted]);
      interrupt = undefined;
      clearTimeout(timer);
      if (got === "interrupted") {
        if (stoppedBy === undefined) await flush();
        continue;
      }
      if (got.done) break;
      next = rows.next();
      const tweet = got.value;
      if (tweet.createdAt === undefined) totals.undated++;
      else if (isTooFarAhead(tweet.createdAt, Date.now())) {
        totals.ahead++;
        continue;
      }
      // Readers name id-less rows by their line; those are not ids to deduplicate on.
      const id = tweet.id.startsWith("line-") ? undefined : tweet.id;
      if (batch.length === 0) batchStarted = Date.now();
      batch.push({ text: tweet.text, ...(id === undefined ? {} : { id }), ...(tweet.createdAt === undefined ? {} : { time: tweet.createdAt }) });
      if (batch.length >= batchSize) await flush();
    }
    if (batch.length > 0) await flush();
  } finally {
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
    // Standard input may still be open (after a signal, or an error), and would keep the process alive.
    if (positionals[0] === STDIN) process.stdin.destroy();
    bar.finish();
    await store.close();
  }
  console.log(
    `ingested ${totals.tweets} tweets (${totals.hashtagUses} hashtag uses) into ${values.store ?? DEFAULT_STORE}; ` +
      `${totals.duplicates} already there; ${totals.undated} without a time counted as now; ` +
      `${totals.ahead} dated more than 24 h past now skipped; ${source.malformed.summary()}`,
  );
  if (stoppedBy === undefined) return 0;
  console.error(`hashtag-rec ingest: stopped by ${stoppedBy}: the tweets read before it are in the store, the rest were not read`);
  return 128 + osConstants.signals[stoppedBy];
}
