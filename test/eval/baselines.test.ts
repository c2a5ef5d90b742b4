import { describe, expect, it } from "vitest";
import { createBaseline } from "../../src/eval/baselines/index.js";
import { TfidfVectorizer, termsOf } from "../../src/eval/baselines/tfidf.js";
import { example } from "./helpers.js";

const train = [
  example("hockey game tonight #Leafs", "2023-05-01T10:00:00Z"),
  example("hockey playoff goal #Leafs", "2023-05-01T11:00:00Z"),
  example("Hockey game tonight #leafs", "2023-05-01T12:00:00Z"), // duplicate query: not a new document
  example("great hockey goal #Bruins", "2023-05-02T10:00:00Z"),
  example("cooking dish judges #MasterChefAU", "2023-05-02T11:00:00Z"),
  example("cooking judges tonight #MasterChefAU", "2023-05-05T10:00:00Z"),
  example("new cooking dish #MasterChefAU", "2023-05-05T11:00:00Z"),
  example("dish of the day #food", "2023-05-05T12:00:00Z"),
  example("dish with cooking #food", "2023-05-05T13:00:00Z"),
  example("just one #once", "2023-05-05T14:00:00Z"),
  example("https://t.co/x #empty", "2023-05-05T15:00:00Z"),
];
const at = (text: string) => ({ text, time: Date.parse("2023-05-06T00:00:00Z") });

describe("TF-IDF", () => {
  it("makes unigrams and bigrams of 2+ letter words", () => {
    expect(termsOf("A hockey game, tonight!")).toEqual(["hockey", "game", "tonight", "hockey game", "game tonight"]);
  });

  it("keeps terms in ≥2 documents and L2-normalises", () => {
    const vectorizer = TfidfVectorizer.fit(["a bb cc", "bb cc dd", "ee"]);
    expect(vectorizer.size).toBe(3); // bb, cc, "bb cc"
    const vector = vectorizer.transform("bb bb zz");
    expect(vector.ids).toHaveLength(1);
    expect(vector.values[0]).toBeCloseTo(1);
    expect(vectorizer.transform("zz").ids).toHaveLength(0);
  });
});

describe("baselines", () => {
  it("pop ranks candidates (≥2 uses in deduplicated documents) by use", () => {
    const pop = createBaseline("pop", train, { vocabularySize: "all" });
    // leafs and food tie at 2 uses: leafs got there first
    expect(pop.rank([at("anything")], 10)[0]).toEqual(["masterchefau", "leafs", "food"]);
    expect(pop.isCandidate("bruins")).toBe(false); // one use
    expect(pop.isCandidate("empty")).toBe(false); // empty query: not a training document
  });

  it("--hashtags K keeps the K most used", () => {
    const pop = createBaseline("pop", train, { vocabularySize: 1 });
    expect(pop.rank([at("x")], 10)[0]).toEqual(["masterchefau"]);
    expect(pop.isCandidate("food")).toBe(false);
  });

  it("recent-pop counts the last 3 days of training; online it follows decayed counts", () => {
    const recent = createBaseline("recent-pop", train, { vocabularySize: "all" });
    expect(recent.rank([at("x")], 2)[0]).toEqual(["masterchefau", "food"]);
    const online = createBaseline("recent-pop", train, { vocabularySize: "all", online: true, halfLifeHours: 1 });
    online.ingest([example("wow #Leafs", "2023-05-07T10:00:00Z"), example("again #leafs", "2023-05-07T10:05:00Z")]);
    expect(online.rank([at("x")], 1)[0]).toEqual(["leafs"]);
  });

  it("knn votes with the most similar tweets", () => {
    const knn = createBaseline("knn", train, { vocabularySize: "all", neighbours: 2 });
    expect(knn.rank([at("hockey game")], 1)[0]).toEqual(["leafs"]);
    expect(knn.rank([at("cooking dish")], 1)[0]).toEqual(["masterchefau"]);
    // no known term: falls back to popularity
    expect(knn.rank([at("zzz")], 1)[0]).toEqual(["masterchefau"]);
  });

  it("centroid ranks by cosine to each hashtag's centroid", () => {
    const centroid = createBaseline("centroid", train, { vocabularySize: "all" });
    expect(centroid.rank([at("hockey goal")], 1)[0]).toEqual(["leafs"]);
    expect(centroid.rank([at("dish of cooking")], 2)[0]).toEqual(["food", "masterchefau"]);
  });

  it.each(["knn", "centroid", "pop"])("%s online: a new hashtag becomes a candidate once it has 2 uses", (name) => {
    const ranker = createBaseline(name, train, { vocabularySize: "all", online: true });
    expect(ranker.isCandidate("eurovision")).toBe(false);
    // The TF-IDF terms are fixed at fit time, so the new tweets reuse known words.
    ranker.ingest([example("judges goal #Eurovision", "2023-05-07T10:00:00Z")]);
    expect(ranker.isCandidate("eurovision")).toBe(false);
    ranker.ingest([example("judges goal tonight #eurovision", "2023-05-07T11:00:00Z")]);
    expect(ranker.isCandidate("eurovision")).toBe(true);
    if (name !== "pop") expect(ranker.rank([at("judges goal")], 1)[0]).toEqual(["eurovision"]);
  });

  it("centroid online updates equal a centroid fitted on all documents with the same vectorizer", () => {
    // Same vocabulary of terms either way: the extra documents use only known terms.
    const extra = [example("hockey goal tonight #Bruins", "2023-05-07T10:00:00Z"), example("cooking goal #Bruins", "2023-05-07T11:00:00Z")];
    const online = createBaseline("centroid", train, { vocabularySize: "all", online: true });
    online.ingest(extra);
    const refit = createBaseline("centroid", [...train, ...extra], { vocabularySize: "all", online: true });
    // idf differs between the two fits, so compare rankings, which both derive from cosine to centroids
    for (const q of ["hockey goal", "cooking", "goal tonight"]) {
      expect(online.rank([at(q)], 3)[0]![0]).toEqual(refit.rank([at(q)], 3)[0]![0]);
    }
  });

  it("rejects an unknown baseline by name", () => {
    expect(() => createBaseline("magic", train, { vocabularySize: 10 })).toThrow(/valid baselines: pop, recent-pop, knn, centroid/u);
  });
});
