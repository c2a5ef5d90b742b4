import { readFileSync } from "node:fs";
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from "fastify";
import { HashtagRecError, invalidArgument } from "../core/errors.js";
import { parseTime } from "../data/readers.js";
import type { Suggester } from "../recommend/suggester.js";
import type { IncomingTweet } from "../trending/incoming.js";
import { errorHandler } from "./errors.js";
import { METRICS_CONTENT_TYPE, ServerMetrics } from "./metrics.js";
import { openApiDocument } from "./openapi.js";
import { CONTENT_SECURITY_POLICY, PUBLIC_FILES } from "./public-files.js";
import {
  INGEST_BODY_LIMIT,
  SUGGEST_BODY_LIMIT,
  hashtagsSchema,
  blendSchema,
  healthSchema,
  readySchema,
  suggestSchema,
  tweetsSchema,
} from "./schemas.js";

declare module "fastify" {
  interface FastifyInstance {
    /** The app's Prometheus metrics (`GET /metrics`). */
    metrics: ServerMetrics;
  }
}

export interface AppDeps {
  suggester: Suggester;
  /** Shown by `/readyz` (the model directory). */
  modelName?: string;
  /** Fastify's logger option (default: off). */
  logger?: FastifyServerOptions["logger"];
  /** With a logger: two lines per request, as it comes in and as it is answered (Fastify's default; default true). */
  logRequests?: boolean;
  /** How long `/readyz` waits for the store, in ms (default 1000). */
  readyTimeoutMs?: number;
  /** `GET /metrics`: Node.js process metrics too (default false), and what to answer with (default this app's own metrics). */
  metrics?: { processMetrics?: boolean; gather?: (own: ServerMetrics) => Promise<string> };
}

interface SuggestBody {
  text: string;
  k: number;
  cursor?: number;
  explain: boolean;
}

interface HashtagsQuery {
  prefix: string;
  k: string;
  text?: string;
}

interface TweetsBody {
  tweets: { id?: string; text: string; time?: string | number }[];
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });
/** How long the metrics' `store_up` waits for the store, in ms. */
const STORE_UP_TIMEOUT_MS = 250;

/**
 * The HTTP API and the compose page, built apart from `listen` so tests drive it with `inject`.
 * Every route has a JSON schema (unknown fields are errors, types are not coerced in bodies);
 * every error is `{ error: { code, message } }` with the catalogue's status.
 *
 * @example
 * ```ts
 * const app = buildApp({ suggester });
 * const res = await app.inject({ method: "POST", url: "/v1/suggest", payload: { text: "Lest we forget", k: 3 } });
 * res.json(); // { suggestions: [{ hashtag: "AnzacDay", … }], took_ms: 1.2 }
 * ```
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  const { suggester } = deps;
  const app = Fastify({
    logger: deps.logger ?? false,
    logController: new LogController({ disableRequestLogging: deps.logRequests === false }),
    bodyLimit: SUGGEST_BODY_LIMIT,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false } },
    return503OnClosing: true,
  });
  app.setErrorHandler(errorHandler);
  const readyTimeoutMs = deps.readyTimeoutMs ?? 1000;
  const metrics = new ServerMetrics({
    suggester,
    // Well within the time the primary of `serve --workers` waits for each worker's metrics.
    storeUp: () => withTimeout(suggester.store.ping(), STORE_UP_TIMEOUT_MS).then(
      () => true,
      () => false,
    ),
    processMetrics: deps.metrics?.processMetrics ?? false,
  });
  app.decorate("metrics", metrics);
  app.addHook("onResponse", (request, reply, done) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? "unmatched", reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: "NOT_FOUND", message: `no route ${request.method} ${request.url.split("?")[0]}; see /openapi.json` } });
  });

  // JSON only, with our own parser: bytes that are not UTF-8 are an error, not silently replaced.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) => {
    let text: string;
    try {
      text = UTF8.decode(body as Buffer);
    } catch {
      done(new HashtagRecError("INVALID_JSON", "the request body is not valid UTF-8"), undefined);
      return;
    }
    if (text.trim().length === 0) {
      done(new HashtagRecError("INVALID_JSON", "the request body is empty; send a JSON object"), undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new HashtagRecError("INVALID_JSON", `the request body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });

  app.post<{ Body: SuggestBody }>("/v1/suggest", { schema: suggestSchema, bodyLimit: SUGGEST_BODY_LIMIT }, async (request) => {
    const started = performance.now();
    const { text, k, cursor, explain } = request.body;
    if (text.trim().length === 0) throw invalidArgument("text is only whitespace; send the draft's text");
    const result = await suggester.suggest({ text, k, explain, ...(cursor === undefined ? {} : { cursor }) });
    return { ...result, took_ms: Math.round((performance.now() - started) * 100) / 100 };
  });

  app.get<{ Querystring: HashtagsQuery }>("/v1/hashtags", { schema: hashtagsSchema }, async (request) => {
    const { prefix, k, text } = request.query;
    const key = prefix.replace(/^[#＃]/u, "");
    return { hashtags: await suggester.complete(key, { k: Number(k), ...(text === undefined ? {} : { text }) }) };
  });

  app.post<{ Body: TweetsBody }>("/v1/tweets", { schema: tweetsSchema, bodyLimit: INGEST_BODY_LIMIT }, async (request) => {
    const tweets: IncomingTweet[] = request.body.tweets.map((tweet, i) => {
      if (tweet.time === undefined) return { text: tweet.text, ...(tweet.id === undefined ? {} : { id: tweet.id }) };
      const time = parseTime(tweet.time);
      if (!Number.isFinite(time)) throw invalidArgument(`tweets[${i}].time '${tweet.time}' is not an ISO 8601 time or a number of ms since the epoch`);
      return { text: tweet.text, time, ...(tweet.id === undefined ? {} : { id: tweet.id }) };
    });
    const result = await suggester.ingest(tweets);
    metrics.observeIngest(result.tweets, result.hashtagUses);
    return { ingested: result.tweets, hashtag_uses: result.hashtagUses };
  });

  app.get("/v1/blend", { schema: blendSchema }, async () => {
    const { weights, lessons } = await suggester.learnedBlend();
    return { weights: { ...weights }, lessons, learning_rate: suggester.blendLearningRate, pid: process.pid };
  });

  // The pid tells which process answered (`serve --workers`).
  app.get("/healthz", { schema: healthSchema }, async () => ({ status: "ok", pid: process.pid }));

  app.get("/readyz", { schema: readySchema }, async (_request, reply) => {
    const base = { store: suggester.store.kind, model: deps.modelName ?? "loaded" };
    try {
      await withTimeout(suggester.store.ping(), readyTimeoutMs);
      return { status: "ready", ...base };
    } catch (error) {
      return reply.status(503).send({ status: "degraded", ...base, reason: (error as Error).message });
    }
  });

  // Prometheus' text format; with `serve --workers N`, every worker's, each labelled (`gather`).
  const gatherMetrics = deps.metrics?.gather ?? ((own: ServerMetrics) => own.registry.metrics());
  // Scrapes that come while one is being gathered share its answer: a burst of them costs the workers one snapshot each.
  let gathering: Promise<string> | undefined;
  const gatherShared = () =>
    (gathering ??= gatherMetrics(metrics).finally(() => {
      gathering = undefined;
    }));
  app.get("/metrics", async (_request, reply) => reply.header("content-type", METRICS_CONTENT_TYPE).send(await gatherShared()));

  const openApi = openApiDocument();
  app.get("/openapi.json", async () => openApi);

  for (const [path, file] of Object.entries(PUBLIC_FILES)) {
    const content = readFileSync(file.path);
    app.get(path, async (_request, reply) =>
      reply
        .header("content-type", file.type)
        .header("content-security-policy", CONTENT_SECURITY_POLICY)
        .header("x-content-type-options", "nosniff")
        .send(content),
    );
  }
  return app;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HashtagRecError("STORE_UNAVAILABLE", `the trending store did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
