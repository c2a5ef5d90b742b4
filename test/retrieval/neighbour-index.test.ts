import { describe, expect, it } from "vitest";
import { NeighbourIndex } from "../../src/retrieval/neighbour-index.js";

const H = 3_600_000;
const T0 = Date.parse("2023-05-01T00:00:00Z");

describe("NeighbourIndex", () => {
  it("gives the hashtags of look-alike tweets; a copy of one is a full vote, a partial match less", () => {
    const index = new NeighbourIndex({ halfLifeHours: 1 });
    index.add({ time: T0, query: "dawn service at the memorial", keys: ["anzacday"] });
    index.add({ time: T0, query: "hockey game tonight", keys: ["leafs"] });
    index.add({ time: T0, query: "no hashtags here", keys: [] });
    expect(index.size).toBe(2);
    const exact = index.votes("dawn service at the memorial", T0);
    expect([...exact.keys()]).toEqual(["anzacday"]);
    expect(exact.get("anzacday")).toBeCloseTo(1, 6);
    const partial = index.votes("the dawn service", T0).get("anzacday")!;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(1);
    expect(index.votes("nothing in common", T0).size).toBe(0);
  });

  it("finds look-alikes in Japanese and Thai, written without spaces, by their words", () => {
    const index = new NeighbourIndex({ halfLifeHours: 1 });
    index.add({ time: T0, query: "東京オリンピックの開幕式が楽しみ", keys: ["tokyo2020"] });
    index.add({ time: T0, query: "大阪で地震がありました", keys: ["地震"] });
    index.add({ time: T0, query: "ร้านนี้ปังเย็นอร่อย", keys: ["allcafe"] });
    expect([...index.votes("明日はオリンピック開幕", T0).keys()]).toEqual(["tokyo2020"]);
    expect([...index.votes("地震速報、大阪は震度4", T0).keys()]).toEqual(["地震"]);
    expect([...index.votes("ปังเย็นอร่อยมาก", T0).keys()]).toEqual(["allcafe"]);
  });

  it("splits the votes of many look-alikes into shares that sum to 1", () => {
    const index = new NeighbourIndex({ halfLifeHours: 1 });
    index.add({ time: T0, query: "big match today", keys: ["a"] });
    index.add({ time: T0, query: "big match today", keys: ["b"] });
    index.add({ time: T0, query: "big match today", keys: ["b"] });
    const votes = index.votes("big match today", T0);
    expect(votes.get("a")).toBeCloseTo(1 / 3, 6);
    expect(votes.get("b")).toBeCloseTo(2 / 3, 6);
  });

  it("weighs a neighbour's vote down by half per half-life of age", () => {
    const index = new NeighbourIndex({ halfLifeHours: 1 });
    index.add({ time: T0, query: "big match today", keys: ["old"] });
    index.add({ time: T0 + H, query: "big match today", keys: ["new"] });
    const votes = index.votes("big match today", T0 + H);
    expect(votes.get("new")! / votes.get("old")!).toBeCloseTo(2, 6);
  });

  it("drops tweets that fall out of the window", () => {
    const index = new NeighbourIndex({ halfLifeHours: 1, windowHours: 2 });
    index.add({ time: T0, query: "big match today", keys: ["old"] });
    index.add({ time: T0 + 3 * H, query: "big match today", keys: ["new"] });
    expect([...index.votes("big match today", T0 + 3 * H).keys()]).toEqual(["new"]);
    expect(index.size).toBe(1);
    index.add({ time: T0, query: "big match today", keys: ["late"] }); // older than the window: ignored
    expect(index.size).toBe(1);
  });

  it("forgets a dropped segment's terms, so that memory stays bounded by the window", () => {
    const index = new NeighbourIndex({ halfLifeHours: 1, windowHours: 2 });
    for (let hour = 0; hour < 10; hour++) {
      index.add({ time: T0 + hour * H, query: `shared words and hour${hour} words`, keys: [`h${hour}`] });
    }
    // The index's map of postings, term → one posting per segment (a look inside, for want of a public view).
    const postings = index["postings"];
    expect([...postings.keys()].filter((term) => term.startsWith("hour")).sort()).toEqual(["hour8", "hour8 words", "hour9", "hour9 words"]);
    expect(postings.get("shared")!.length).toBe(2);
    expect([...index.votes("shared words", T0 + 9 * H).keys()]).toEqual(["h8", "h9"]);
  });

  it("leaves out the window's commonest terms (in 2% or more of its tweets, and in 10 or more), so that they neither vote nor dilute a match", () => {
    const tweets = Array.from({ length: 20 }, (_, i) => ({ time: T0, query: `so the topic${i} news`, keys: [`t${i}`] }));
    const cut = new NeighbourIndex({ halfLifeHours: 1 });
    const kept = new NeighbourIndex({ halfLifeHours: 1, maxDocumentShare: Infinity });
    for (const tweet of tweets) {
      cut.add(tweet);
      kept.add(tweet);
    }
    // "so" and "the" are in all 20 tweets: alone they find nothing once left out, and every tweet when kept.
    expect(cut.votes("so the", T0).size).toBe(0);
    expect(kept.votes("so the", T0).size).toBe(20);
    // With them left out, a tweet's own topic is all of its vector: a full vote. (A tweet's vector
    // is made when it comes: the 10th on, once "so" and "the" count as common.)
    expect(cut.votes("so the topic15 news", T0).get("t15")).toBeCloseTo(1, 6);
    expect(kept.votes("so the topic15 news", T0).get("t15")).toBeLessThan(0.9);
    // Under 10 tweets, no term is common enough to leave out, whatever its share (a new store's first tweets).
    const young = new NeighbourIndex({ halfLifeHours: 1 });
    for (const tweet of tweets.slice(0, 9)) young.add(tweet);
    expect(young.votes("so the", T0).size).toBe(9);
  });
});
