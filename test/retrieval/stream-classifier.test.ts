import { describe, expect, it } from "vitest";
import { termsOf } from "../../src/data/terms.js";
import { StreamClassifier } from "../../src/retrieval/stream-classifier.js";
import type { RecentTweet } from "../../src/retrieval/neighbour-index.js";

const HOUR = 3_600_000;

/**
 * The classifier as documented, with maps and every weight decayed to the present at each tweet:
 * distinct terms of weight 1/√n, common ones (in 2% of the decayed tweets and 10 or more) left out;
 * a softmax over the tweet's hashtags and those of the 50 tweets before; a step of
 * 10 · (y − p) / √n on each term of the truth and of rivals with p ≥ 0.05; at each new hour,
 * weights under 0.2 dropped and terms with no weight and a decayed count under 0.2 forgotten.
 */
class Reference {
  private readonly weights = new Map<string, Map<string, number>>();
  private readonly documentsWith = new Map<string, number>();
  private documents = 0;
  private last: number | undefined;
  private packedHour = -Infinity;
  private readonly rivals: string[][] = [];

  constructor(private readonly halfLifeHours = 6) {}

  add({ time, query, keys }: RecentTweet): void {
    const terms = [...new Set(termsOf(query))];
    if (keys.length === 0 || terms.length === 0) return;
    this.decayTo(time);
    const hour = Math.floor(time / HOUR);
    if (hour > this.packedHour) {
      this.packedHour = hour;
      for (const [key, row] of this.weights) {
        for (const [term, w] of row) if (Math.abs(w) < 0.2) row.delete(term);
        if (row.size === 0) this.weights.delete(key);
      }
      for (const [term, count] of this.documentsWith) {
        const weighted = [...this.weights.values()].some((row) => row.has(term));
        if (count < 0.2 && !weighted) this.documentsWith.delete(term);
      }
    }
    for (const term of terms) this.documentsWith.set(term, (this.documentsWith.get(term) ?? 0) + 1);
    this.documents += 1;
    const used = terms.filter((term) => !this.isCommon(term));
    const truth = [...new Set(keys)];
    if (used.length > 0) {
      const contenders = [...new Set([...truth, ...this.rivals.flat()])];
      const logits = contenders.map((key) => this.sum(key, used) / Math.sqrt(used.length));
      const max = Math.max(...logits);
      const total = logits.reduce((a, z) => a + Math.exp(z - max), 0);
      contenders.forEach((key, n) => {
        const p = Math.exp(logits[n]! - max) / total;
        const isTruth = truth.includes(key);
        if (!isTruth && p < 0.05) return;
        const delta = (10 * ((isTruth ? 1 / truth.length : 0) - p)) / Math.sqrt(used.length);
        const row = this.weights.get(key) ?? new Map<string, number>();
        this.weights.set(key, row);
        for (const term of used) row.set(term, (row.get(term) ?? 0) + delta);
      });
    }
    this.rivals.push(truth);
    if (this.rivals.length > 50) this.rivals.shift();
  }

  /** As the weights stood at the last tweet. */
  score(query: string, key: string): number {
    const used = [...new Set(termsOf(query))].filter((term) => this.documentsWith.has(term) && !this.isCommon(term));
    return used.length === 0 ? 0 : this.sum(key, used) / Math.sqrt(used.length);
  }

  private sum(key: string, terms: readonly string[]): number {
    const row = this.weights.get(key);
    return row === undefined ? 0 : terms.reduce((a, term) => a + (row.get(term) ?? 0), 0);
  }

  private isCommon(term: string): boolean {
    return (this.documentsWith.get(term) ?? 0) >= Math.max(0.02 * this.documents, 10);
  }

  private decayTo(time: number): void {
    if (this.last !== undefined) {
      const factor = 2 ** (-(time - this.last) / (this.halfLifeHours * HOUR));
      for (const row of this.weights.values()) for (const [term, w] of row) row.set(term, w * factor);
      for (const [term, count] of this.documentsWith) this.documentsWith.set(term, count * factor);
      this.documents *= factor;
    }
    this.last = time;
  }
}

describe("StreamClassifier", () => {
  it("learns which words point to which of two hashtags trending together", () => {
    // Two topics only: every word would be common by the 2% rule.
    const classifier = new StreamClassifier({ maxDocumentShare: Infinity });
    const t = Date.UTC(2023, 4, 1);
    for (let i = 0; i < 20; i++) {
      classifier.add({ time: t + i, query: "dawn service at the memorial, lest we forget", keys: ["anzacday"] });
      classifier.add({ time: t + i, query: "what a goal at the derby, the match is level", keys: ["mufc"] });
    }
    const score = (query: string, key: string) => classifier.scores(query, (scores) => scores.of(key));
    expect(score("the dawn service", "anzacday")).toBeGreaterThan(score("the dawn service", "mufc") + 1);
    expect(score("that goal", "mufc")).toBeGreaterThan(score("that goal", "anzacday") + 1);
    expect(score("nothing in common", "mufc")).toBe(0);
    expect(score("the dawn service", "neverseen")).toBe(0);
  });

  it("reads model hashtags by their place in indexedKeys, others by key", () => {
    const classifier = new StreamClassifier({ indexedKeys: ["mufc", "anzacday"] });
    const t = Date.UTC(2023, 4, 1);
    classifier.add({ time: t, query: "what a goal", keys: ["leafs"] }); // a rival, so the next step has something to move away from
    classifier.add({ time: t, query: "dawn service", keys: ["anzacday", "lestweforget"] });
    classifier.scores("dawn service", (scores) => {
      expect(scores.at(1)).toBe(scores.of("anzacday"));
      expect(scores.at(1)).toBeGreaterThan(0);
      expect(scores.of("lestweforget")).toBeGreaterThan(0);
      expect(scores.of("leafs")).toBeLessThan(0); // the rival, moved away from these words
      expect(scores.at(0)).toBe(0); // never seen
      expect(scores.at(2)).toBe(0); // past the list: not read by place
    });
  });

  it("matches the documented steps through a long random stream: decay, rivals, common terms, hourly drops", () => {
    let seed = 11;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`);
    const keys = Array.from({ length: 30 }, (_, i) => `h${i}`);
    const classifier = new StreamClassifier({ indexedKeys: keys.slice(0, 10) });
    const reference = new Reference();
    let time = Date.UTC(2023, 4, 1);
    const text = () => Array.from({ length: 1 + Math.floor(random() * 6) }, () => words[Math.floor(random() * (random() < 0.3 ? 4 : words.length))]).join(" ");
    for (let i = 0; i < 1500; i++) {
      // Minutes apart, now and then a gap of hours: weights fall under the floor and go.
      time += random() < 0.01 ? 30 * HOUR * random() : 60_000 * random();
      const tweet = { time, query: text(), keys: Array.from({ length: 1 + Math.floor(random() * 2) }, () => keys[Math.floor(random() * keys.length)]!) };
      classifier.add(tweet);
      reference.add(tweet);
      if (i % 10 !== 0) continue;
      const query = text();
      classifier.scores(query, (scores) => {
        for (const key of keys) expect(scores.of(key)).toBeCloseTo(reference.score(query, key), 9);
      });
    }
    expect(classifier.size).toBeGreaterThan(0);
  });

  it("forgets weights that have decayed away, and ignores tweets without hashtags or words", () => {
    const classifier = new StreamClassifier();
    const t = Date.UTC(2023, 4, 1);
    for (let i = 0; i < 50; i++) classifier.add({ time: t, query: `topic${i} words here`, keys: [`tag${i}`] });
    const before = classifier.size;
    expect(before).toBeGreaterThan(100);
    classifier.add({ time: t, query: "no hashtags", keys: [] });
    classifier.add({ time: t, query: "!!", keys: ["tag1"] });
    expect(classifier.size).toBe(before);
    classifier.add({ time: t + 5 * 24 * HOUR, query: "fresh news", keys: ["today"] });
    // Only the last tweet's step is left: its 3 terms for its hashtag (its 50 rivals, at p = 1/51 each, are below 0.05).
    expect(classifier.size).toBe(3);
    expect(classifier.scores("topic1 words", (scores) => scores.of("tag1"))).toBe(0);
  });
});
