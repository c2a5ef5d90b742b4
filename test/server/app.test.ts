import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_BLEND, SIGNALS, weightsAtCoverage } from "../../src/recommend/blend.js";
import { DEFAULT_BLEND_LEARNING_RATE } from "../../src/recommend/online-blend.js";
import type { Suggester } from "../../src/recommend/suggester.js";
import { buildApp } from "../../src/server/app.js";
import { MAX_INGEST_BATCH } from "../../src/server/schemas.js";
import { productSuggester } from "./helpers.js";

const T0 = Date.parse("2023-05-01T00:00:00Z");
let suggester: Suggester;
let app: FastifyInstance;

beforeAll(async () => {
  suggester = await productSuggester({ clock: "data", blocklist: new Set(["blockedtag"]) });
  app = buildApp({ suggester });
  await suggester.ingest([
    { id: "a1", text: "Dawn service at the memorial #AnzacDay", time: T0 },
    { id: "a2", text: "Lest we forget #anzacday #LestWeForget", time: T0 + 60_000 },
    { id: "a3", text: "Remembering them #AnzacDay", time: T0 + 120_000 },
    { id: "b1", text: "this should never show #BlockedTag", time: T0 + 120_000 },
  ]);
});

afterAll(async () => {
  await app.close();
  await suggester.close();
});

const suggest = (payload: unknown) => app.inject({ method: "POST", url: "/v1/suggest", payload: payload as object });

/** Every bad request must leave the server serving: this good one runs after each. */
async function expectStillServing(): Promise<void> {
  const res = await suggest({ text: "Lest we forget" });
  expect(res.statusCode).toBe(200);
}

describe("POST /v1/suggest", () => {
  it("returns ranked suggestions with counts, trend series and timing", async () => {
    const res = await suggest({ text: "Lest we forget, the dawn service", k: 3 });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.suggestions).toHaveLength(3);
    expect(body.took_ms).toBeGreaterThanOrEqual(0);
    const [first] = body.suggestions;
    expect(Object.keys(first).sort()).toEqual(["count", "hashtag", "key", "score", "trend"]);
    expect(first.trend.series).toHaveLength(24);
    const scores = body.suggestions.map((s: { score: number }) => s.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const anzac = body.suggestions.find((s: { key: string }) => s.key === "anzacday");
    expect(anzac).toMatchObject({ hashtag: "AnzacDay", count: 3 });
  });

  it("explains each logit as the sum of its weighted parts, and scores as their softmax", async () => {
    const res = await suggest({ text: "Lest we forget", k: 5, explain: true });
    const suggestions = res.json().suggestions;
    for (const s of suggestions) {
      const parts = Object.values(s.explain.contributions) as number[];
      expect(parts).toHaveLength(SIGNALS.length);
      expect(parts.reduce((a, b) => a + b, 0)).toBeCloseTo(s.explain.logit, 9);
      expect(s.explain.model_coverage).toBeGreaterThan(0); // the schema lets it through
      expect(s.explain.contributions.model).toBeCloseTo(weightsAtCoverage(suggester.weights, s.explain.model_coverage).model * Math.log(s.explain.model + 1e-5), 9);
      expect(s.explain.contributions.burst).toBeCloseTo(suggester.weights.burst * Math.log1p(s.explain.burst), 9);
      expect(s.explain.contributions.centroid).toBeCloseTo(suggester.weights.centroid * Math.sqrt(s.explain.centroid), 9);
      expect(s.explain.contributions.classifier).toBeCloseTo(suggester.weights.classifier * s.explain.classifier, 9);
    }
    // Three of the tweets ingested (all of them recent) used #AnzacDay.
    const anzac = suggestions.find((s: { key: string }) => s.key === "anzacday").explain;
    expect(anzac).toMatchObject({ burst: 3, uses: 3 });
    expect(anzac.centroid).toBeGreaterThan(0.3); // one of its tweets says "lest we forget"
    // Softmax: score ratios are exp of logit differences, and the scores of the best few add up to at most 1.
    const [a, b] = suggestions;
    expect(a.score / b.score).toBeCloseTo(Math.exp(a.explain.logit - b.explain.logit), 6);
    expect(suggestions.reduce((sum: number, s: { score: number }) => sum + s.score, 0)).toBeLessThanOrEqual(1 + 1e-9);
  });

  it("leaves out hashtags already in the text and blocked ones", async () => {
    // A space after the hashtag: the caret is no longer completing it.
    const res = await suggest({ text: "Lest we forget #AnzacDay ", k: 50 });
    const keys = res.json().suggestions.map((s: { key: string }) => s.key);
    expect(keys).not.toContain("anzacday");
    expect(keys).not.toContain("blockedtag");
  });

  it("completes a partial hashtag at the cursor by prefix", async () => {
    const text = "Dawn service #anz and more";
    const res = await suggest({ text, cursor: "Dawn service #anz".length, k: 5 });
    const body = res.json();
    expect(body.completing).toEqual({ prefix: "anz", start: 13, end: 17 });
    expect(body.suggestions.length).toBeGreaterThan(0);
    for (const s of body.suggestions) expect(s.key.startsWith("anz")).toBe(true);
    expect(body.suggestions[0].key).toBe("anzacday");
  });

  it("makes a hashtag the model never saw a candidate as soon as it is ingested", async () => {
    expect(suggester.recommender.hasHashtag("zzbrandnewtag")).toBe(false);
    const tweets = Array.from({ length: 30 }, (_, i) => ({ id: `new-${i}`, text: `launch day #ZzBrandNewTag`, time: T0 + 180_000 + i }));
    expect((await app.inject({ method: "POST", url: "/v1/tweets", payload: { tweets } })).json()).toEqual({ ingested: 30, hashtag_uses: 30 });
    const keys = (await suggest({ text: "launch day", k: 5 })).json().suggestions.map((s: { key: string }) => s.key);
    expect(keys).toContain("zzbrandnewtag");
  });

  it("ingests a Mastodon status's HTML content as its text", async () => {
    const text = '<p>go <a href="https://m.s/tags/ZzMastoTag" class="mention hashtag" rel="tag">#<span>ZzMastoTag</span></a></p>';
    const res = await app.inject({ method: "POST", url: "/v1/tweets", payload: { tweets: [{ id: "masto-1", text, time: T0 + 190_000 }] } });
    expect(res.json()).toEqual({ ingested: 1, hashtag_uses: 1 });
    const body = (await app.inject({ method: "GET", url: "/v1/hashtags?prefix=zzmasto" })).json();
    expect(body.hashtags.map((h: { hashtag: string }) => h.hashtag)).toEqual(["ZzMastoTag"]);
  });

  it("batches concurrent requests into fewer model runs", async () => {
    const before = { ...suggester.batchStats! };
    const responses = await Promise.all(Array.from({ length: 24 }, (_, i) => suggest({ text: `draft number ${i} about the weather` })));
    expect(responses.every((r) => r.statusCode === 200)).toBe(true);
    const batches = suggester.batchStats!.batches - before.batches;
    expect(suggester.batchStats!.items - before.items).toBe(24);
    expect(batches).toBeLessThan(24);
  });
});

describe("bad input: a 4xx with its code, and the server keeps serving", () => {
  const cases: { name: string; request: () => Promise<{ statusCode: number; json: () => { error: { code: string; message: string } } }>; status: number; code: string; message: RegExp }[] = [
    { name: "empty text", request: () => suggest({ text: "" }), status: 400, code: "INVALID_ARGUMENT", message: /body\.text/ },
    { name: "whitespace-only text", request: () => suggest({ text: "  \n\t " }), status: 400, code: "INVALID_ARGUMENT", message: /whitespace/ },
    { name: "100 KB text", request: () => suggest({ text: "word ".repeat(20_480) }), status: 413, code: "PAYLOAD_TOO_LARGE", message: /too large/i },
    {
      name: "invalid JSON",
      request: () => app.inject({ method: "POST", url: "/v1/suggest", headers: { "content-type": "application/json" }, payload: '{"text": "hi",' }),
      status: 400,
      code: "INVALID_JSON",
      message: /not valid JSON/,
    },
    { name: "wrong type for text", request: () => suggest({ text: 42 }), status: 400, code: "INVALID_ARGUMENT", message: /body\.text must be string/ },
    { name: "wrong type for k", request: () => suggest({ text: "hi", k: "5" }), status: 400, code: "INVALID_ARGUMENT", message: /body\.k must be integer/ },
    { name: "unknown field", request: () => suggest({ text: "hi", colour: "red" }), status: 400, code: "INVALID_ARGUMENT", message: /unknown field 'colour'/ },
    { name: "k of 0", request: () => suggest({ text: "hi", k: 0 }), status: 400, code: "INVALID_ARGUMENT", message: /body\.k must be >= 1/ },
    { name: "k of -1", request: () => suggest({ text: "hi", k: -1 }), status: 400, code: "INVALID_ARGUMENT", message: /body\.k must be >= 1/ },
    { name: "k of 10^6", request: () => suggest({ text: "hi", k: 1_000_000 }), status: 400, code: "INVALID_ARGUMENT", message: /body\.k must be <= 100/ },
    {
      name: "non-UTF-8 bytes",
      request: () =>
        app.inject({
          method: "POST",
          url: "/v1/suggest",
          headers: { "content-type": "application/json" },
          payload: Buffer.concat([Buffer.from('{"text": "caf'), Buffer.from([0xe9, 0xff]), Buffer.from('"}')]),
        }),
      status: 400,
      code: "INVALID_JSON",
      message: /UTF-8/,
    },
    { name: "cursor past the end", request: () => suggest({ text: "hello", cursor: 6 }), status: 400, code: "INVALID_ARGUMENT", message: /cursor must be an integer from 0 to 5/ },
    { name: "missing body", request: () => app.inject({ method: "POST", url: "/v1/suggest", headers: { "content-type": "application/json" } }), status: 400, code: "INVALID_JSON", message: /empty/ },
    {
      name: "not JSON at all",
      request: () => app.inject({ method: "POST", url: "/v1/suggest", headers: { "content-type": "text/plain" }, payload: "hello" }),
      status: 415,
      code: "UNSUPPORTED_FORMAT",
      message: /text\/plain/,
    },
    { name: "unknown route", request: () => app.inject({ method: "GET", url: "/v2/nothing?x=1" }), status: 404, code: "NOT_FOUND", message: /GET \/v2\/nothing/ },
    {
      name: "ingest batch over the item limit",
      request: () => app.inject({ method: "POST", url: "/v1/tweets", payload: { tweets: Array.from({ length: MAX_INGEST_BATCH + 1 }, () => ({ text: "x #y" })) } }),
      status: 400,
      code: "INVALID_ARGUMENT",
      message: /body\.tweets must NOT have more than 1000 items/,
    },
    {
      name: "ingest batch over the byte limit",
      request: () => app.inject({ method: "POST", url: "/v1/tweets", payload: { tweets: Array.from({ length: 500 }, () => ({ text: "#big ".repeat(500) })) } }),
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
      message: /too large/i,
    },
    {
      name: "duplicate ingest",
      request: () => app.inject({ method: "POST", url: "/v1/tweets", payload: { tweets: [{ id: "a1", text: "again #AnzacDay" }] } }),
      status: 409,
      code: "DUPLICATE_TWEET",
      message: /a1/,
    },
    {
      name: "the same id twice in a batch",
      request: () => app.inject({ method: "POST", url: "/v1/tweets", payload: { tweets: [{ id: "z", text: "#q" }, { id: "z", text: "#q" }] } }),
      status: 400,
      code: "INVALID_ARGUMENT",
      message: /id 'z' appears twice/,
    },
    {
      name: "a bad tweet time",
      request: () => app.inject({ method: "POST", url: "/v1/tweets", payload: { tweets: [{ text: "#q", time: "yesterday" }] } }),
      status: 400,
      code: "INVALID_ARGUMENT",
      message: /time/,
    },
    {
      name: "a tweet dated a year ahead",
      request: () =>
        app.inject({ method: "POST", url: "/v1/tweets", payload: { tweets: [{ id: "before-future", text: "#q" }, { text: "#ZzqFuture", time: Date.now() + 365 * 86_400_000 }] } }),
      status: 400,
      code: "INVALID_ARGUMENT",
      message: /tweets\[1\]\.time \S+ is more than 24 h past the clock .*nothing in this batch was applied/,
    },
    { name: "k of 0 in completion", request: () => app.inject({ method: "GET", url: "/v1/hashtags?prefix=an&k=0" }), status: 400, code: "INVALID_ARGUMENT", message: /k must be an integer from 1 to 100, got '0'/ },
    { name: "unknown query parameter", request: () => app.inject({ method: "GET", url: "/v1/hashtags?prefx=an" }), status: 400, code: "INVALID_ARGUMENT", message: /unknown field 'prefx'/ },
  ];

  for (const { name, request, status, code, message } of cases) {
    it(name, async () => {
      const res = await request();
      expect(res.statusCode).toBe(status);
      const body = res.json();
      expect(body.error.code).toBe(code);
      expect(body.error.message).toMatch(message);
      await expectStillServing();
    });
  }

  it("applies nothing of a batch with a duplicate id", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/tweets", payload: { tweets: [{ id: "fresh-1", text: "#FreshOne" }, { id: "a2", text: "#x" }] } });
    expect(res.statusCode).toBe(409);
    expect((await suggester.store.lookup(["freshone"])).has("freshone")).toBe(false);
  });

  it("applies nothing of a batch with a tweet dated more than a day ahead", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/tweets", payload: { tweets: [{ text: "#ZzqSoon" }, { text: "#ZzqLater", time: Date.now() + 1.1 * 86_400_000 }] } });
    expect(res.statusCode).toBe(400);
    expect((await suggester.store.lookup(["zzqsoon", "zzqlater"])).size).toBe(0);
  });
});

describe("GET /v1/hashtags", () => {
  it("completes a prefix (with or without #), trending first", async () => {
    for (const prefix of ["anz", "%23anz", "ANZ"]) {
      const body = (await app.inject({ method: "GET", url: `/v1/hashtags?prefix=${prefix}&k=3` })).json();
      expect(body.hashtags.length).toBeGreaterThan(0);
      expect(body.hashtags[0]).toMatchObject({ key: "anzacday", hashtag: "AnzacDay" });
      for (const h of body.hashtags) expect(h.key.startsWith("anz")).toBe(true);
    }
  });

  it("never completes to a blocked hashtag", async () => {
    const body = (await app.inject({ method: "GET", url: "/v1/hashtags?prefix=blocked" })).json();
    expect(body.hashtags.map((h: { key: string }) => h.key)).not.toContain("blockedtag");
  });
});

describe("health, readiness and the OpenAPI document", () => {
  it("answers /healthz and /readyz", async () => {
    expect((await app.inject({ method: "GET", url: "/healthz" })).json()).toEqual({ status: "ok", pid: process.pid });
    const ready = await app.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: "ready", store: "sqlite" });
  });

  it("describes every route in /openapi.json", async () => {
    const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual(["/healthz", "/metrics", "/readyz", "/v1/blend", "/v1/hashtags", "/v1/suggest", "/v1/tweets"]);
    expect(doc.paths["/v1/suggest"].post.requestBody.content["application/json"].schema.required).toEqual(["text"]);
  });
});

describe("an empty store", () => {
  it("ranks by the model alone, as a fresh install does", async () => {
    const fresh = await productSuggester();
    const text = "Watching the Leafs game tonight with friends";
    const fromModel = (await fresh.recommender.recommend(text, { k: 5 })).map((s) => s.key);
    const suggested = (await fresh.suggest({ text, k: 5 })).suggestions;
    expect(suggested.map((s) => s.key)).toEqual(fromModel);
    expect(suggested[0]!.score).toBeGreaterThan(0);
    await fresh.close();
  });
});

describe("a store that stops answering", () => {
  it("reports degraded in /readyz and keeps suggesting from the model", async () => {
    const own = await productSuggester();
    const ownApp = buildApp({ suggester: own });
    await own.store.close();
    const ready = await ownApp.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: "degraded", store: "sqlite", reason: expect.stringContaining("closed") });
    const res = await ownApp.inject({ method: "POST", url: "/v1/suggest", payload: { text: "Lest we forget", k: 3 } });
    expect(res.statusCode).toBe(200);
    expect(res.json().suggestions).toHaveLength(3);
    await ownApp.close();
    await own.recommender.close();
  });
});

describe("GET /metrics", () => {
  /** The value of the sample `line` (a metric's name and labels as Prometheus writes them), or undefined. */
  const sample = (text: string, line: string) => {
    const found = text.split("\n").find((l) => l.startsWith(`${line} `));
    return found === undefined ? undefined : Number(found.slice(line.length + 1));
  };

  it("counts requests by route and status, their durations, and the tweets and hashtag uses ingested", async () => {
    const own = await productSuggester({ clock: "data" });
    const ownApp = buildApp({ suggester: own });
    for (const text of ["Lest we forget", "Dawn service"]) expect((await ownApp.inject({ method: "POST", url: "/v1/suggest", payload: { text } })).statusCode).toBe(200);
    expect((await ownApp.inject({ method: "POST", url: "/v1/suggest", payload: { text: " " } })).statusCode).toBe(400);
    expect((await ownApp.inject({ method: "GET", url: "/no/such/route" })).statusCode).toBe(404);
    const tweets = [
      { id: "m1", text: "Dawn service #AnzacDay #LestWeForget", time: T0 },
      { id: "m2", text: "Remembering #AnzacDay", time: T0 + 1000 },
    ];
    expect((await ownApp.inject({ method: "POST", url: "/v1/tweets", payload: { tweets } })).statusCode).toBe(200);
    expect((await ownApp.inject({ method: "POST", url: "/v1/tweets", payload: { tweets } })).statusCode).toBe(409); // a repeat adds nothing

    const res = await ownApp.inject({ method: "GET", url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/u);
    const text = res.body;
    expect(sample(text, 'hashtag_rec_http_requests_total{method="POST",route="/v1/suggest",status="200"}')).toBe(2);
    expect(sample(text, 'hashtag_rec_http_requests_total{method="POST",route="/v1/suggest",status="400"}')).toBe(1);
    expect(sample(text, 'hashtag_rec_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(sample(text, 'hashtag_rec_http_requests_total{method="POST",route="/v1/tweets",status="409"}')).toBe(1);
    expect(sample(text, 'hashtag_rec_http_request_duration_seconds_count{method="POST",route="/v1/suggest"}')).toBe(3);
    expect(sample(text, 'hashtag_rec_http_request_duration_seconds_bucket{le="10",method="POST",route="/v1/suggest"}')).toBe(3);
    expect(sample(text, "hashtag_rec_tweets_ingested_total")).toBe(2);
    expect(sample(text, "hashtag_rec_hashtag_uses_ingested_total")).toBe(3);
    expect(sample(text, "hashtag_rec_model_batched_drafts_total")).toBe(own.batchStats!.items);
    expect(own.batchStats!.items).toBeGreaterThanOrEqual(2);
    expect(sample(text, "hashtag_rec_store_up")).toBe(1);
    // Process metrics only when asked for (serve does).
    expect(sample(text, "hashtag_rec_process_cpu_user_seconds_total")).toBeUndefined();
    const withProcess = buildApp({ suggester: own, metrics: { processMetrics: true } });
    expect(sample((await withProcess.inject({ method: "GET", url: "/metrics" })).body, "hashtag_rec_process_cpu_user_seconds_total")).toBeGreaterThan(0);
    await withProcess.close();
    await ownApp.close();
    await own.close();
  });

  it("answers scrapes that come while one is being gathered with that one's answer", async () => {
    const own = await productSuggester();
    let gathered = 0;
    const ownApp = buildApp({
      suggester: own,
      metrics: {
        gather: async () => {
          gathered++;
          await new Promise((resolve) => setTimeout(resolve, 100));
          return `gathered ${gathered}\n`;
        },
      },
    });
    const burst = await Promise.all(Array.from({ length: 3 }, () => ownApp.inject({ method: "GET", url: "/metrics" })));
    expect(burst.map((r) => r.body)).toEqual(["gathered 1\n", "gathered 1\n", "gathered 1\n"]);
    expect((await ownApp.inject({ method: "GET", url: "/metrics" })).body).toBe("gathered 2\n");
    await ownApp.close();
    await own.close();
  });

  it("reports a store that fails, or hangs, as store_up 0, and answers before the primary of serve --workers stops waiting (2 s)", async () => {
    const own = await productSuggester();
    const ownApp = buildApp({ suggester: own });
    expect(sample((await ownApp.inject({ method: "GET", url: "/metrics" })).body, "hashtag_rec_store_up")).toBe(1);
    const ping = own.store.ping.bind(own.store);
    own.store.ping = () => new Promise(() => {}); // a store that never answers
    const started = performance.now();
    expect(sample((await ownApp.inject({ method: "GET", url: "/metrics" })).body, "hashtag_rec_store_up")).toBe(0);
    expect(performance.now() - started).toBeLessThan(2000);
    own.store.ping = ping;
    await own.store.close();
    expect(sample((await ownApp.inject({ method: "GET", url: "/metrics" })).body, "hashtag_rec_store_up")).toBe(0);
    await ownApp.close();
    await own.recommender.close();
  });
});

describe("GET /v1/blend", () => {
  it("shows the weights learned from the tweets posted, from the defaults", async () => {
    const learning = await productSuggester({ clock: "data" });
    const server = buildApp({ suggester: learning });
    const blend = async () => (await server.inject({ method: "GET", url: "/v1/blend" })).json();
    expect(await blend()).toEqual({ weights: { ...DEFAULT_BLEND }, lessons: 0, learning_rate: DEFAULT_BLEND_LEARNING_RATE, pid: process.pid });
    // After models/default's training data: the second tweet teaches (its hashtag was in use before it).
    const post = (id: string, time: string) => server.inject({ method: "POST", url: "/v1/tweets", payload: { tweets: [{ id, text: "what a game tonight #Zzqgame", time }] } });
    expect((await post("1", "2024-01-10T12:00:00Z")).statusCode).toBe(200);
    expect((await post("2", "2024-01-10T12:01:00Z")).statusCode).toBe(200);
    const learned = await blend();
    expect(learned.lessons).toBe(1);
    expect(learned.weights).toEqual({ ...learning.weights });
    expect(learned.weights).not.toEqual({ ...DEFAULT_BLEND });
    await server.close();
    await learning.close();
  });
});
