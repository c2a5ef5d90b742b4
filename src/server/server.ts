import type { FastifyInstance } from "fastify";
import { Recommender } from "../recommend/recommender.js";
import { Suggester, type SuggesterOptions } from "../recommend/suggester.js";
import { openStore } from "../trending/open-store.js";
import { RedisTrendingStore } from "../trending/redis-store.js";
import { buildApp } from "./app.js";

/** How long in-flight requests get to finish after SIGTERM. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface ServeOptions {
  model: string;
  /** SQLite path or `redis://` URL. */
  store: string;
  halfLifeHours: number;
  host: string;
  port: number;
  threads?: number;
  suggester?: SuggesterOptions;
  /** Fastify logger level (default "info"); "silent" for none. */
  logLevel?: string;
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /** Stops accepting connections, lets in-flight requests finish, then releases the model and store. */
  close(): Promise<void>;
}

/**
 * Loads the model (a missing or corrupt model fails here, before listening), opens the trending
 * store, and listens. Redis going down and coming back is logged; `/readyz` reports it meanwhile.
 *
 * @example
 * ```ts
 * const server = await startServer({ model: "models/default", store: "trends.db", halfLifeHours: 1, host: "127.0.0.1", port: 8080 });
 * console.log(server.url); // http://127.0.0.1:8080
 * ```
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const recommender = await Recommender.load(options.model, options.threads === undefined ? {} : { threads: options.threads });
  let store;
  try {
    store = await openStore(options.store, { halfLifeHours: options.halfLifeHours });
  } catch (error) {
    await recommender.close();
    throw error;
  }
  const suggester = new Suggester(recommender, store, options.suggester ?? {});
  const app = buildApp({
    suggester,
    modelName: options.model,
    logger: { level: options.logLevel ?? "info" },
  });
  if (store instanceof RedisTrendingStore) {
    store.onStateChange((state, reason) => {
      if (state === "down") app.log.error({ store: "redis", reason }, "trending store DOWN: suggestions use the model alone, ingests fail with 503 until Redis is back");
      else app.log.info({ store: "redis" }, "trending store back: ready");
    });
  }
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  const url = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    close: () => {
      closing ??= (async () => {
        // Keep-alive connections that finish their request while closing become idle: close
        // those as they appear, and after SHUTDOWN_GRACE_MS close whatever is left.
        const sweep = setInterval(() => app.server.closeIdleConnections(), 25);
        const deadline = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        try {
          await app.close();
        } finally {
          clearInterval(sweep);
          clearTimeout(deadline);
        }
        await suggester.close();
      })();
      return closing;
    },
  };
}
