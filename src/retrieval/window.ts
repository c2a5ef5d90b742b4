import { HOUR_MS } from "../trending/decay.js";

/**
 * The tweets that a window of `windowHours` whole hours, ending with the newest hour among them
 * and `newestHour`, still holds, in their order. An index given a long backlog at start-up adds
 * these only, instead of adding the rest to take them out again.
 */
export function withinWindow<T extends { time: number }>(tweets: readonly T[], windowHours: number, newestHour = -Infinity): T[] {
  let newest = newestHour;
  for (const tweet of tweets) newest = Math.max(newest, Math.floor(tweet.time / HOUR_MS));
  return tweets.filter((tweet) => Math.floor(tweet.time / HOUR_MS) > newest - windowHours);
}
