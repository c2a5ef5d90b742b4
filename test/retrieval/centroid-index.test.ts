import { describe, expect, it } from "vitest";
import { termsOf } from "../../src/data/terms.js";
import { CentroidIndex } from "../../src/retrieval/centroid-index.js";
import type { RecentTweet } from "../../src/retrieval/neighbour-index.js";

const H = 3_600_000;
const T0 = Date.parse("2023-05-01T00:00:00Z");

/**
 * The centroids as documented, brute force: each tweet's unit TF-IDF vector with the document
 * frequencies of the window at the time it came, terms in `maxShare` or more of its tweets (and 10 or more) left out; a hashtag's centroid the sum over the window's
 * tweets with it of 2^(time / halfLife) · vector; the cosine with a draft's vector.
 */
class Reference {
  private readonly tweets: { time: number; keys: string[]; terms: string[]; vector: Map<string, number> }[] = [];
  constructor(
    private readonly halfLifeHours: number,
    private readonly windowHours: number,
    private readonly maxShare = Infinity,
  ) {}

  add(tweet: RecentTweet): void {
    const terms = [...new Set(termsOf(tweet.query))];
    if (tweet.keys.length === 0 || terms.length === 0) return;
    const hour = Math.floor(tweet.time / H);
    const newest = Math.max(hour, ...this.tweets.map((t) => Math.floor(t.time / H)));
    if (hour <= newest - this.windowHours) return;
    this.tweets.splice(0, this.tweets.length, ...this.tweets.filter((t) => Math.floor(t.time / H) > newest - this.windowHours));
    const entry = { time: tweet.time, keys: [...new Set(tweet.keys)], terms, vector: new Map<string, number>() };
    this.tweets.push(entry);
    entry.vector = this.vector(tweet.query);
  }

  /** The (term, hashtag) pairs of the window's tweets, terms left out not counted: the cells a matrix should hold. */
  cells(): number {
    return new Set(this.tweets.flatMap((t) => [...t.vector.keys()].flatMap((term) => t.keys.map((key) => `${term}|${key}`)))).size;
  }

  cosine(query: string, key: string): number {
    const q = this.vector(query);
    const centroid = new Map<string, number>();
    const latest = Math.max(...this.tweets.map((t) => t.time)); // scales relative to the latest: the cosine does not change
    for (const tweet of this.tweets) {
      if (!tweet.keys.includes(key)) continue;
      const scale = 2 ** ((tweet.time - latest) / (this.halfLifeHours * H));
      for (const [term, weight] of tweet.vector) centroid.set(term, (centroid.get(term) ?? 0) + scale * weight);
    }
    let dot = 0;
    let norm = 0;
    for (const [term, weight] of centroid) {
      dot += weight * (q.get(term) ?? 0);
      norm += weight * weight;
    }
    return norm > 0 && dot > 0 ? dot / Math.sqrt(norm) : 0;
  }

  private vector(text: string): Map<string, number> {
    const df = new Map<string, number>();
    for (const tweet of this.tweets) for (const term of tweet.terms) df.set(term, (df.get(term) ?? 0) + 1);
    const tf = new Map<string, number>();
    for (const term of termsOf(text)) if (df.has(term) && df.get(term)! < Math.max(this.maxShare * this.tweets.length, 10)) tf.set(term, (tf.get(term) ?? 0) + 1);
    const vector = new Map<string, number>();
    for (const [term, count] of tf) vector.set(term, (1 + Math.log(count)) * (Math.log((1 + this.tweets.length) / (1 + df.get(term)!)) + 1));
    const norm = Math.hypot(...vector.values());
    for (const [term, weight] of vector) vector.set(term, weight / norm);
    return vector;
  }
}

describe("CentroidIndex", () => {
  it("gives a hashtag's cosine with the draft: 1 for the text of its only tweet, less for part of it, 0 for nothing in common", () => {
    const index = new CentroidIndex(); // a window of two tweets: no term is common enough to leave out
    index.add({ time: T0, query: "dawn service at the memorial", keys: ["anzacday"] });
    index.add({ time: T0, query: "hockey game tonight", keys: ["leafs"] });
    index.add({ time: T0, query: "no hashtags here", keys: [] });
    expect(index.size).toBe(2);
    index.cosines("dawn service at the memorial", (cosines) => {
      expect(cosines.of("anzacday")).toBeCloseTo(1, 9);
      expect(cosines.of("leafs")).toBe(0);
      expect(cosines.of("unknown")).toBe(0);
    });
    const partial = index.cosines("the dawn service", (cosines) => cosines.of("anzacday"));
    expect(partial).toBeGreaterThan(0.3);
    expect(partial).toBeLessThan(1);
    expect(index.cosines("nothing in common", (cosines) => cosines.of("anzacday"))).toBe(0);
  });

  it("reads indexed hashtags by place, the same as by key, and keeps their places when their tweets leave the window", () => {
    const index = new CentroidIndex({ maxDocumentShare: Infinity, windowHours: 2, indexedKeys: ["anzacday", "leafs"] });
    index.add({ time: T0, query: "dawn service at the memorial", keys: ["anzacday", "other"] });
    index.add({ time: T0, query: "hockey game tonight", keys: ["leafs"] });
    expect(index.hashtags).toBe(3);
    index.cosines("dawn service tonight", (cosines) => {
      expect(cosines.at(0)).toBeGreaterThan(0);
      expect(cosines.at(0)).toBe(cosines.of("anzacday"));
      expect(cosines.at(1)).toBe(cosines.of("leafs"));
      expect(cosines.at(2)).toBe(0); // past the list
    });
    index.add({ time: T0 + 5 * H, query: "a new hashtag", keys: ["fresh"] }); // the first two tweets leave
    expect(index.hashtags).toBe(1);
    expect(index["hashtagIds"].find("anzacday")).toBe(0);
    expect(index["hashtagIds"].find("other")).toBeUndefined();
    index.add({ time: T0 + 5 * H, query: "dawn service again", keys: ["leafs"] });
    const [byPlace, byKey, gone] = index.cosines("dawn service", (cosines) => [cosines.at(1), cosines.of("leafs"), cosines.at(0)]);
    expect(byPlace).toBeCloseTo(Math.sqrt(3 / 5), 9); // 3 of the tweet's 5 terms, all of the draft's
    expect(byKey).toBe(byPlace);
    expect(gone).toBe(0);
  });

  it("leaves out terms in 2% or more of the window's tweets, once they are in 10 or more", () => {
    const index = new CentroidIndex();
    for (let i = 0; i < 499; i++) index.add({ time: T0 + i, query: `the word${i}`, keys: [`k${i}`] });
    index.add({ time: T0 + 499, query: "the marathon", keys: ["run"] }); // "the" is in all 500, "marathon" in 1
    expect(index.cosines("the", (cosines) => cosines.of("run"))).toBe(0);
    expect(index.cosines("the marathon", (cosines) => cosines.of("run"))).toBeCloseTo(1, 9); // "the" counts on neither side
    const rare = new CentroidIndex();
    for (let i = 0; i < 9; i++) rare.add({ time: T0 + i, query: `the word${i}`, keys: [`k${i}`] });
    expect(rare.cosines("the", (cosines) => cosines.of("k0"))).toBeGreaterThan(0); // in all 9, but only 9
  });

  it("weighs a newer tweet up by 2 per half-life in its hashtag's centroid", () => {
    const index = new CentroidIndex({ maxDocumentShare: Infinity, halfLifeHours: 1 });
    index.add({ time: T0, query: "first topic words", keys: ["tag"] });
    index.add({ time: T0 + H, query: "second subject terms", keys: ["tag"] });
    const first = index.cosines("first topic words", (cosines) => cosines.of("tag"));
    const newer = index.cosines("second subject terms", (cosines) => cosines.of("tag"));
    // Orthogonal unit vectors weighted 1 and 2: cosines 1/√5 and 2/√5.
    expect(first).toBeCloseTo(1 / Math.sqrt(5), 9);
    expect(newer).toBeCloseTo(2 / Math.sqrt(5), 9);
  });

  it("takes tweets out of their centroids when their hour leaves the window, and forgets their terms and hashtags", () => {
    const index = new CentroidIndex({ maxDocumentShare: Infinity, windowHours: 2 });
    for (let hour = 0; hour < 10; hour++) index.add({ time: T0 + hour * H, query: `shared words and hour${hour} words`, keys: [`h${hour}`, "always"] });
    expect(index.size).toBe(2);
    expect(index.hashtags).toBe(3); // h8, h9, always
    const terms = index["terms"]; // a look inside, for want of a public view
    const hourTerms = Array.from({ length: 10 }, (_, hour) => [`hour${hour}`, `hour${hour} words`, `and hour${hour}`]).flat();
    expect(hourTerms.filter((term) => terms.find(term) !== undefined)).toEqual(["hour8", "hour8 words", "and hour8", "hour9", "hour9 words", "and hour9"]);
    expect(terms.size).toBe(5 + 3 + 3); // shared, words, and, shared words, words and; 3 per hour
    // Cells: h8 and h9 have the 8 terms of their tweet each; "always" has the 5 shared terms and the 3 of each hour.
    expect(index["matrix"].size).toBe(8 + 8 + 5 + 3 + 3);
    expect(index.cosines("hour3 words", (cosines) => cosines.of("h3"))).toBe(0);
    index.add({ time: T0, query: "shared words", keys: ["late"] }); // older than the window: ignored
    expect(index.size).toBe(2);
  });

  it.each([Infinity, 0.15])("matches the brute-force centroids through a long random stream, ids reused and scales rebased (terms in %s of the tweets or more left out)", (maxShare) => {
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`);
    let seed = 11;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() ** 2 * items.length)]!;
    const text = () => Array.from({ length: 1 + Math.floor(random() * 8) }, () => pick(words)).join(" ");
    // A half-life of 0.1 h over 120 h: scales would pass 2^1000 without rebasing.
    const index = new CentroidIndex({ halfLifeHours: 0.1, windowHours: 6, maxDocumentShare: maxShare });
    const reference = new Reference(0.1, 6, maxShare);
    let time = T0;
    const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
    let checked = 0;
    for (let step = 0; step < 1500; step++) {
      time += random() * 0.16 * H;
      const tweet = { time: random() < 0.05 ? time - 3 * H : time, query: text(), keys: random() < 0.1 ? [] : [pick(keys), pick(keys)] };
      index.add(tweet);
      reference.add(tweet);
      if (step % 25 === 0) {
        const query = text();
        const cosines = index.cosines(query, (cosines) => keys.map((key) => cosines.of(key)));
        const expected = keys.map((key) => reference.cosine(query, key));
        for (let i = 0; i < keys.length; i++) expect(cosines[i]).toBeCloseTo(expected[i]!, 9);
        checked += expected.filter((c) => c > 0).length;
      }
    }
    expect(checked).toBeGreaterThan(300);
    expect(index["matrix"].size).toBe(reference.cells()); // no cell for a term left out, none left behind
  });

  it("keeps its scales finite when the window spans over a thousand half-lives", () => {
    const index = new CentroidIndex({ maxDocumentShare: Infinity, halfLifeHours: 0.01, windowHours: 24 });
    const reference = new Reference(0.01, 24);
    for (let step = 0; step < 40; step++) {
      const tweet = { time: T0 + step * 0.5 * H, query: `topic${step % 3} words`, keys: [`k${step % 4}`] };
      index.add(tweet);
      reference.add(tweet);
    }
    const cosines = index.cosines("topic1 words", (cosines) => ["k0", "k1", "k2", "k3"].map((key) => cosines.of(key)));
    expect(cosines.every(Number.isFinite)).toBe(true);
    ["k0", "k1", "k2", "k3"].forEach((key, i) => expect(cosines[i]).toBeCloseTo(reference.cosine("topic1 words", key), 9));
  });

  it("gives the same cosines from a backlog added at once (packed) and tweets added after it (loose), leaving out what the window no longer holds", () => {
    const index = new CentroidIndex({ maxDocumentShare: Infinity, windowHours: 10 });
    const reference = new Reference(24, 10);
    const tweetAt = (i: number) => ({ time: T0 + i * 60_000, query: i % 7 === 0 ? "common rare words" : `common words${i % 5} more${i % 11}`, keys: [`k${i % 300}`, `k${i % 13}`] });
    const backlog = Array.from({ length: 1500 }, (_, i) => tweetAt(i)); // 25 hours: the first 15 are out of the window
    index.addAll(backlog);
    for (const tweet of backlog.filter((t) => t.time >= T0 + 15 * H)) reference.add(tweet);
    expect(index.size).toBe(600);
    expect(index["window"].segments.map((s) => s.hour - T0 / H)).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]); // no segment made and dropped for the rest
    for (let i = 1500; i < 1530; i++) {
      index.add(tweetAt(i));
      reference.add(tweetAt(i));
    }
    for (const query of ["common rare", "common words3 more4", "rare", "words2"]) {
      const keys = ["k0", "k3", "k7", "k299", "k1529", "none"];
      const cosines = index.cosines(query, (cosines) => keys.map((key) => cosines.of(key)));
      keys.forEach((key, i) => expect(cosines[i]).toBeCloseTo(reference.cosine(query, key), 9));
    }
  });
});
