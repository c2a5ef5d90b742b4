import { afterAll, describe, expect, it } from "vitest";
import { Recommender } from "../../src/recommend/recommender.js";
import { ROOT } from "../cli/cli.js";

describe("models/default (the shipped model)", () => {
  let recommender: Recommender | undefined;
  afterAll(async () => recommender?.close());

  it("loads and suggests known hashtags with probabilities, excluding those in the text", async () => {
    recommender = await Recommender.load(`${ROOT}/models/default`);
    expect(recommender.hashtags).toHaveLength(10_000);
    const suggestions = await recommender.recommend("Toronto Maple Leafs win the game in overtime #Leafs", { k: 5 });
    expect(suggestions).toHaveLength(5);
    expect(suggestions.map((s) => s.key)).not.toContain("leafs");
    const total = suggestions.reduce((sum, s) => sum + s.score, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(1.0001);
    for (let i = 1; i < suggestions.length; i++) expect(suggestions[i]!.score).toBeLessThanOrEqual(suggestions[i - 1]!.score);
  });

  it("reads the hashtags already in a draft; the stream's signals read the query without them", async () => {
    recommender ??= await Recommender.load(`${ROOT}/models/default`);
    const taggedText = "Dawn service at the memorial #AnzacDay";
    const [tagged, plain, caret, plainCaret, taggedCaretAtEnd] = await recommender.score([
      { text: taggedText },
      { text: "Dawn service at the memorial" },
      { text: "Dawn service #AnzacDay at the memorial", maskAt: "Dawn service #AnzacDay".length },
      { text: "Dawn service at the memorial", maskAt: "Dawn service".length },
      { text: taggedText, maskAt: taggedText.length },
    ]);
    expect(tagged!.query).toBe(plain!.query);
    expect(tagged!.present).toEqual(["anzacday"]);
    expect(caret!.query).toBe("Dawn service at the memorial");
    // Read with #AnzacDay, the draft leans to the hashtags used with it this year.
    const anzacDay2023 = recommender.indexOf("anzacday2023")!;
    expect(tagged!.probabilities[anzacDay2023]).toBeGreaterThan(1.1 * plain!.probabilities[anzacDay2023]!);
    // With a caret: the hashtag before it is read too, and a caret at the end is no caret.
    expect(caret!.probabilities).not.toEqual(plainCaret!.probabilities);
    expect(taggedCaretAtEnd!.probabilities).toEqual(tagged!.probabilities);
  });

  it("scores each draft of a batch of mixed lengths as it scores the draft alone", async () => {
    recommender ??= await Recommender.load(`${ROOT}/models/default`);
    const topics = ["Leafs win in overtime", "dawn service at the memorial", "new phone camera review", "election results tonight", "cooking pasta for dinner"];
    // 40 drafts from 1 to 40 words, so that the batch is sorted and run in groups of similar length.
    const drafts = Array.from({ length: 40 }, (_, i) => ({ text: Array.from({ length: i + 1 }, (_, w) => topics[(i + w) % topics.length]!.split(" ")[w % 3]).join(" ") + ` ${topics[i % 5]}` }));
    const together = await recommender.score([...drafts].reverse());
    together.reverse();
    for (const [i, draft] of drafts.entries()) {
      const [alone] = await recommender.score([draft]);
      expect(together[i]!.query).toBe(alone!.query);
      // Dynamic int8 quantization scales by the whole run, so a batch moves probabilities a little
      // (as batching always did); another draft's row would move them far more.
      const top = (p: Float32Array) => [...p.keys()].sort((a, b) => p[b]! - p[a]!).slice(0, 5);
      expect(top(together[i]!.probabilities), draft.text).toContain(top(alone!.probabilities)[0]);
      let largest = 0;
      for (let h = 0; h < alone!.probabilities.length; h++) largest = Math.max(largest, Math.abs(together[i]!.probabilities[h]! - alone!.probabilities[h]!));
      expect(largest, draft.text).toBeLessThan(0.02);
    }
  });
});
