import { describe, expect, it } from "vitest";
import { MAX_AHEAD_MS, toIngestTweets } from "../../src/trending/incoming.js";

const NOW = Date.parse("2023-05-11T12:00:00Z");

describe("toIngestTweets", () => {
  it("finds hashtags and the cleaned text, leaves blocked ones out, and dates a tweet without a time now", () => {
    expect(toIngestTweets([{ id: "1", text: "Dawn service #AnzacDay #spam" }], { now: NOW, blocklist: new Set(["spam"]) })).toEqual([
      { id: "1", time: NOW, hashtags: [{ key: "anzacday", display: "AnzacDay" }], query: "Dawn service" },
    ]);
  });

  it("takes a tweet up to 24 h past now, and refuses the batch of one dated later, naming it", () => {
    expect(toIngestTweets([{ text: "#a", time: NOW + MAX_AHEAD_MS }], { now: NOW })[0]!.time).toBe(NOW + MAX_AHEAD_MS);
    expect(() => toIngestTweets([{ text: "#a", time: NOW - 365 * MAX_AHEAD_MS }, { text: "#b", time: NOW + MAX_AHEAD_MS + 1 }], { now: NOW })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/^tweets\[1\]\.time 2023-05-12T12:00:00\.001Z is more than 24 h past the clock \(2023-05-11T12:00:00\.000Z\)/) }),
    );
  });
});
