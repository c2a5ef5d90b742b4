import { describe, expect, it } from "vitest";
import { DEFAULT_BLEND, features, FULL_WEIGHT_COVERAGE, logit, SIGNALS, type BlendWeights, type Signals } from "../../src/recommend/blend.js";
import { CandidateRanker, MODEL_CANDIDATES, type Evidence } from "../../src/recommend/candidate-ranker.js";
import { OnlineBlend } from "../../src/recommend/online-blend.js";
import type { ScoredDraft } from "../../src/recommend/recommender.js";
import { topK, topKeys } from "../../src/recommend/top-k.js";
import { termCounts } from "../../src/data/terms.js";
import { CentroidIndex } from "../../src/retrieval/centroid-index.js";
import { StreamClassifier } from "../../src/retrieval/stream-classifier.js";
import { RecentUses } from "../../src/trending/recent-uses.js";
import type { TrendEntry } from "../../src/trending/store.js";
import type { TrendSnapshot } from "../../src/trending/trend-cache.js";

const N = 2000;
const hashtags = Array.from({ length: N }, (_, i) => ({ key: `h${i}`, display: `H${i}`, count: i, days: 1, first_seen: null, last_seen: null }));
const indexes = new Map(hashtags.map((h, i) => [h.key, i]));
const indexOf = (key: string) => indexes.get(key);

let seed = 17;
const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
/** A model hashtag with probability `known`, else one the model lacks. */
const pickKey = (known = 0.7) => (random() < known ? `h${Math.floor(random() * N)}` : `new${Math.floor(random() * 60)}`);
/** Few distinct weights and counts, so that hashtags the model lacks often tie exactly. */
const entryOf = (key: string): TrendEntry => ({ key, display: key, count: 1 + Math.floor(random() * 3), logWeight: 10 + Math.floor(random() * 3), firstSeen: 0, lastSeen: 0 });

/** Trending hashtags, the model knowing about `known` of them: the model's coverage, and so its weight, varies. */
function snapshotOf(size: number, known: number): TrendSnapshot {
  const byKey = new Map<string, TrendEntry>();
  for (let i = 0; i < size; i++) {
    const key = pickKey(known);
    if (!byKey.has(key)) byKey.set(key, entryOf(key));
  }
  return { entries: [...byKey.values()], byKey, totalLogWeight: 16, takenAt: 0 };
}

/**
 * The ranking as documented, by key: signals read from the maps; the blend's weights now, the
 * model's times min(1, coverage / FULL_WEIGHT_COVERAGE), where coverage is the share of the
 * snapshot's uses (blocked hashtags left out) that go to model hashtags; `logit`; a full sort (ties
 * by key); a softmax over all. Also each candidate's features, for the reference of learning.
 */
function reference(keys: Iterable<string>, evidence: Evidence, recent: RecentUses, centroids: CentroidIndex, classifier: StreamClassifier, blocked: ReadonlySet<string>, excluded: ReadonlySet<string>, k: number, base: BlendWeights) {
  const skipped = new Set([...excluded, ...blocked]);
  let share = 0;
  let knownShare = 0;
  for (const entry of evidence.snapshot.entries) {
    if (blocked.has(entry.key)) continue; // blocked hashtags do not count; excluded ones (in the draft) do
    const entryShare = 2 ** (entry.logWeight - evidence.snapshot.totalLogWeight);
    share += entryShare;
    if (indexOf(entry.key) !== undefined) knownShare += entryShare;
  }
  const coverage = share > 0 ? knownShare / share : 1;
  const modelScale = Math.min(1, coverage / FULL_WEIGHT_COVERAGE);
  const weights = { ...base, model: base.model * modelScale };
  const signalsOf = (key: string): Signals => {
    const index = indexOf(key);
    const entry = evidence.snapshot.byKey.get(key) ?? evidence.known.get(key);
    return {
      model: index === undefined ? 0 : evidence.scored.probabilities[index]!,
      trend: entry === undefined ? 0 : 2 ** (entry.logWeight - evidence.snapshot.totalLogWeight),
      neighbours: evidence.votes.get(key) ?? 0,
      burst: recent.count(key),
      uses: entry?.count ?? 0,
      centroid: centroids.cosines(evidence.scored.query, (cosines) => cosines.of(key)), // from the text, not the counts
      classifier: classifier.scores(evidence.scored.query, (scores) => scores.of(key)),
      cooccurrence: evidence.cooccurrence.get(key) ?? 0,
    };
  };
  const all = [...keys].filter((key) => !skipped.has(key)).map((key) => ({ key, signals: signalsOf(key), logit: logit(signalsOf(key), weights) }));
  const max = Math.max(...all.map((c) => c.logit));
  let sum = 0;
  for (const c of all) sum += Math.exp(c.logit - max);
  const sorted = [...all].sort((a, b) => b.logit - a.logit || (a.key < b.key ? -1 : 1));
  return { best: sorted.slice(0, k).map((c) => ({ ...c, score: Math.exp(c.logit - max) / sum })), all, modelScale };
}

/** One step of a blend on the reference's candidates (all of them, in their order): features by `features()`, the model's scaled. */
function referenceStep(blend: OnlineBlend, all: readonly { key: string; signals: Signals }[], modelScale: number, truth: ReadonlySet<string>): boolean {
  const rows = new Float64Array(all.length * SIGNALS.length);
  all.forEach((c, n) => {
    const f = features(c.signals);
    SIGNALS.forEach((signal, i) => (rows[n * SIGNALS.length + i] = signal === "model" ? f.model * modelScale : f[signal]));
  });
  return blend.learn({ features: rows, isTruth: Uint8Array.from(all, (c) => (truth.has(c.key) ? 1 : 0)), count: all.length });
}

describe("CandidateRanker against the ranking done by key", () => {
  it("gives the same candidates, logits (to the bit), order and scores, and learns the same steps, through new snapshots, tweets, drafts, completions and lessons", () => {
    // A burst window of 5 tweets: hashtags leave it between drafts.
    const recent = new RecentUses(5);
    const blocked = new Set(["h5", "h7", "new3", "new4"]);
    // Recent tweets with a few words each: hashtags of both kinds get centroids.
    const centroids = new CentroidIndex({ indexedKeys: hashtags.map((h) => h.key) });
    const classifier = new StreamClassifier({ indexedKeys: hashtags.map((h) => h.key) });
    const words = Array.from({ length: 30 }, (_, i) => `w${i}`);
    const text = () => Array.from({ length: 1 + Math.floor(random() * 5) }, () => words[Math.floor(random() * words.length)]).join(" ");
    const blend = new OnlineBlend(DEFAULT_BLEND, { learningRate: 0.05 });
    const expectedBlend = new OnlineBlend(DEFAULT_BLEND, { learningRate: 0.05 });
    const ranker = new CandidateRanker(hashtags, indexOf, recent, centroids, classifier, blend, blocked, FULL_WEIGHT_COVERAGE);
    let lessons = 0;
    let snapshot = snapshotOf(100, 0.7);
    for (let round = 0; round < 300; round++) {
      if (random() < 0.3) snapshot = snapshotOf(Math.floor(random() * 200), random());
      for (let i = Math.floor(random() * 4); i > 0; i--) {
        const keys = Array.from({ length: 3 }, pickKey);
        recent.add(keys);
        const tweet = { time: round * 1000, query: text(), keys };
        centroids.add(tweet);
        classifier.add(tweet);
      }
      // Many zeros and few distinct values: ties among the model's probabilities too.
      const probabilities = new Float32Array(N).map(() => (random() < 0.5 ? 0 : Math.round(random() ** 8 * 1000) / 1000));
      const votes = new Map<string, number>();
      for (let i = Math.floor(random() * 80); i > 0; i--) votes.set(pickKey(), random());
      const known = new Map<string, TrendEntry>();
      const completion = random() < 0.3;
      if (completion) {
        for (let i = 0; i < 20; i++) {
          const key = pickKey();
          known.set(key, entryOf(key));
        }
      }
      const scored: ScoredDraft = { query: text(), present: [], probabilities };
      // Hashtags used with one already in the draft, in some drafts.
      const cooccurrence = new Map<string, number>();
      if (random() < 0.4) for (let i = Math.floor(random() * 40); i > 0; i--) cooccurrence.set(pickKey(0.5), random() < 0.2 ? 1 : random());
      const evidence: Evidence = { scored, terms: termCounts(scored.query), snapshot, known, votes, cooccurrence, now: round * 1000 };
      const excluded = new Set(random() < 0.5 ? [] : [pickKey(), pickKey(), ...snapshot.entries.slice(0, 2).map((e) => e.key)]);
      const k = 1 + Math.floor(random() * 40);

      const keys = completion
        ? new Set([...Array.from({ length: 60 }, pickKey), ...known.keys()])
        : new Set([
            ...topK(probabilities, MODEL_CANDIDATES + excluded.size).map((i) => hashtags[i]!.key),
            ...snapshot.entries.map((e) => e.key),
            ...topKeys(votes, 50),
            ...topKeys(cooccurrence, 20),
          ]);
      const candidates = completion ? ranker.forKeys(keys, evidence) : ranker.forDraft(evidence, excluded.size);
      expect(candidates.keys).toEqual([...keys]);
      const ranked = ranker.rank(candidates, evidence, excluded, k);
      const expected = reference(keys, evidence, recent, centroids, classifier, blocked, excluded, k, blend.weights);
      expect(ranked.map((c) => [c.key, c.logit, c.score, c.signals])).toEqual(expected.best.map((c) => [c.key, c.logit, c.score, c.signals]));
      if (!completion && random() < 0.5) {
        // A lesson: the draft's candidates (none excluded), two of them and a key that is none of them its hashtags.
        const all = reference(ranker.forDraft(evidence, 0).keys, evidence, recent, centroids, classifier, blocked, new Set(), 1, blend.weights);
        const truth = new Set([all.all[Math.floor(random() * all.all.length)]!.key, all.all[Math.floor(random() * all.all.length)]!.key, "nowhere"]);
        expect(blend.learn(ranker.lesson(evidence, truth))).toBe(referenceStep(expectedBlend, all.all, all.modelScale, truth));
        for (const signal of SIGNALS) expect(blend.weights[signal]).toBeCloseTo(expectedBlend.weights[signal], 12);
        lessons++;
      }
    }
    expect(lessons).toBeGreaterThan(80); // about a third of the 300 rounds (93 with this seed)
    expect(blend.weights).not.toEqual(DEFAULT_BLEND); // it learned
  });
});
