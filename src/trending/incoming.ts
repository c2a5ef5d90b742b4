import { invalidArgument } from "../core/errors.js";
import { analyzeText } from "../data/clean.js";
import { HOUR_MS } from "./decay.js";
import type { IngestTweet } from "./store.js";

/**
 * How far past the clock a tweet's time may be (clocks disagree, time zones get lost). A use is
 * worth 2^(time / half-life): one dated a year ahead would outweigh every other use for a year,
 * in the trending store and in every index read from it.
 */
export const MAX_AHEAD_MS = 24 * HOUR_MS;

/** Whether a tweet's time is further past `now` than {@link MAX_AHEAD_MS}. */
export function isTooFarAhead(time: number, now: number): boolean {
  return time > now + MAX_AHEAD_MS;
}

/** A tweet to ingest, as the CLI and HTTP API take it: text, optional id and time. */
export interface IncomingTweet {
  id?: string;
  text: string;
  /** Milliseconds since the epoch (default: now). */
  time?: number;
}

/**
 * Finds the hashtags of incoming tweets by Twitter's rules (leaving out blocked ones) and their
 * cleaned text (the shared cleaning function), as the trending store takes them. A time more
 * than {@link MAX_AHEAD_MS} past `now` is refused (`INVALID_ARGUMENT`), the whole batch with it.
 *
 * @example
 * ```ts
 * toIngestTweets([{ id: "1", text: "Dawn service #AnzacDay", time: 0 }], { now: 0 });
 * // [{ id: "1", time: 0, hashtags: [{ key: "anzacday", display: "AnzacDay" }], query: "Dawn service" }]
 * ```
 */
export function toIngestTweets(
  tweets: readonly IncomingTweet[],
  options: { now: number; blocklist?: ReadonlySet<string> },
): IngestTweet[] {
  const blocked = options.blocklist ?? new Set<string>();
  tweets.forEach((tweet, i) => {
    if (tweet.time !== undefined && isTooFarAhead(tweet.time, options.now)) {
      throw invalidArgument(
        `tweets[${i}].time ${new Date(tweet.time).toISOString()} is more than ${MAX_AHEAD_MS / HOUR_MS} h past the clock (${new Date(options.now).toISOString()}); nothing in this batch was applied`,
      );
    }
  });
  return tweets.map((tweet) => {
    const { query, mentions } = analyzeText(tweet.text);
    return {
      ...(tweet.id === undefined ? {} : { id: tweet.id }),
      time: tweet.time ?? options.now,
      hashtags: mentions.filter((h) => !blocked.has(h.key)).map(({ key, display }) => ({ key, display })),
      ...(query.length > 0 ? { query } : {}),
    };
  });
}
