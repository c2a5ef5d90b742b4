import { analyzeText } from "./clean.js";
import type { HashtagMention } from "./hashtags.js";
import type { Tweet } from "./tweet.js";

/** A tweet made ready for training or evaluation: its cleaned query and its hashtags. */
export interface Example {
  id: string;
  /** Milliseconds since the epoch; readers that found no time leave it to the caller to assign. */
  time: number | undefined;
  query: string;
  /** Distinct hashtag keys (the truth set in evaluation). */
  keys: string[];
  mentions: HashtagMention[];
  /** Where the tweet is in its source file. */
  line: number;
}

/** Cleans one tweet with the shared cleaning function. */
export function toExample(tweet: Tweet): Example {
  const { query, keys, mentions } = analyzeText(tweet.text);
  return { id: tweet.id, time: tweet.createdAt, query, keys, mentions, line: tweet.line };
}

/** The key used to deduplicate training texts: the lower-cased cleaned query. */
export function dedupeKey(example: Example): string {
  return example.query.toLowerCase();
}
