import type { Server as NetServer, Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import { invalidArgument } from "../core/errors.js";
import { Recommender } from "../recommend/recommender.js";
import { Suggester, type SuggesterOptions } from "../recommend/suggester.js";
import { openStore } from "../trending/open-store.js";
import { RedisTrendingStore } from "../trending/redis-store.js";
import { buildApp, type AppDeps } from "./app.js";

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
  /** A line for each request as it comes and as it is answered (default false: start, stop, the store's state, warnings and 5xx only). */
  logRequests?: boolean;
  /**
   * `false`: do not listen; connections come through {@link RunningServer.accept} (a worker of
   * `serve --workers`, whose primary listens). Default true.
   */
  listen?: boolean;
  /** What `GET /metrics` answers with (a worker of `serve --workers`: every worker's, each labelled); default this process's own. */
  gatherMetrics?: NonNullable<AppDeps["metrics"]>["gather"];
}

export interface RunningServer {
  app: FastifyInstance;
  /** Where it listens (with `listen: false`, where it would: `host` and `port` as given). */
  url: string;
  /** Serves a connection accepted elsewhere (the primary of `serve --workers`). */
  accept(socket: Socket): void;
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
  // Until the app (and its logger) exists, a learning failure goes to stderr.
  let learningFailed = (error: unknown) => console.error("hashtag-rec serve: the blend did not learn:", error);
  const suggester = new Suggester(recommender, store, { ...options.suggester, onLearningError: options.suggester?.onLearningError ?? ((error) => learningFailed(error)) });
  try {
    await suggester.warm(); // the recent tweets into the indexes before the first draft
  } catch (error) {
    await suggester.close();
    throw error;
  }
  const app = buildApp({
    suggester,
    modelName: options.model,
    logger: { level: options.logLevel ?? "info" },
    logRequests: options.logRequests ?? false,
    metrics: { processMetrics: true, ...(options.gatherMetrics ? { gather: options.gatherMetrics } : {}) },
  });
  learningFailed = (error) => app.log.warn({ err: error }, "the blend did not learn from an ingest, or could not read what other servers learned; its weights stay as they were");
  if (store instanceof RedisTrendingStore) {
    store.onStateChange((state, reason) => {
      if (state === "down") app.log.error({ store: "redis", reason }, "trending store DOWN: suggestions use the model alone, ingests fail with 503 until Redis is back");
      else app.log.info({ store: "redis" }, "trending store back: ready");
    });
  }
  // Every connection, listened for or handed over, so that closing can wait for all of them.
  const connections = new Set<Socket>();
  app.server.on("connection", (socket: Socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
  });
  let port = options.port;
  if (options.listen === false) {
    await app.ready();
    // Node's http server starts tracking its connections (for closeIdleConnections(), and the
    // headers and request timeouts against slow clients) on 'listening'; handed-over connections
    // need the same, though this server never listens itself.
    app.server.emit("listening");
  } else port = await listen(app, options.host, options.port);
  let closing: Promise<void> | undefined;
  return {
    app,
    url: serverUrl(options.host, port),
    // Even while closing: a request on it then gets a 503 with `Connection: close`, not a reset.
    accept: (socket) => {
      app.server.emit("connection", socket);
      socket.resume();
    },
    close: () => {
      closing ??= (async () => {
        // Keep-alive connections that finish their request while closing become idle: close
        // those as they appear, and after SHUTDOWN_GRACE_MS close whatever is left.
        const sweep = setInterval(() => app.server.closeIdleConnections(), 25);
        const deadline = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        try {
          await app.close();
          // Handed-over connections are not the listener's, so app.close() does not wait for them.
          while (connections.size > 0) await new Promise((resolve) => setTimeout(resolve, 25));
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

/** `http://host:port`, with an IPv6 host in brackets. */
export function serverUrl(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Listens, and resolves with the port; an address in use or not ours is the caller's mistake. */
async function listen(app: FastifyInstance, host: string, port: number): Promise<number> {
  try {
    await app.listen({ host, port });
  } catch (error) {
    throw listenError(error, host, port);
  }
  return listeningPort(app.server, port);
}

/** The port `server` listens on (the one asked for, where it cannot say). */
export function listeningPort(server: Pick<NetServer, "address">, asked: number): number {
  const address = server.address();
  return typeof address === "object" && address !== null ? address.port : asked;
}

/** A clear error for the usual ways listening fails (a port in use, or not ours, a foreign address); others as they are. */
export function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") return invalidArgument(`port ${port} on ${host} is already in use; pick another (0 picks a free one)`);
  if (code === "EACCES") return invalidArgument(`no permission to listen on port ${port} of ${host}; ports below 1024 need privileges`);
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") return invalidArgument(`cannot listen on '${host}': not an address of this machine`);
  return error;
}
