import { analyzeText } from "../data/clean.js";
import type { IngestTweet } from "./store.js";

/** A tweet to ingest, as the CLI and HTTP API take it: text, optional id and time. */
export interface IncomingTweet {
  id?: string;
  text: string;
  /** Milliseconds since the epoch (default: now). */
  time?: number;
}

/**
 * Finds the hashtags of incoming tweets by Twitter's rules (leaving out blocked ones) and their
 * cleaned text (the shared cleaning function), as the trending store takes them.
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
