import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { invalidArgument } from "../core/errors.js";
import { DEFAULT_MAX_BATCH } from "../recommend/batcher.js";
import { startServer, type ServeOptions } from "../server/server.js";
import { announceReady, answerMetricsRequests, clusterMetrics, receiveConnections, runPrimary } from "../server/workers.js";
import { tuneThisProcess } from "../server/v8-flags.js";
import { parseCommandArgs, positiveInt } from "./args.js";
import { PRODUCT_FLAGS, PRODUCT_HELP, productSettings } from "./product-options.js";

export const SERVE_HELP = `Usage: hashtag-rec serve [options]

Serves the compose page (/) and the HTTP API (/v1/suggest, /v1/hashtags, /v1/tweets, /healthz,
/readyz, /metrics, /openapi.json). SIGTERM or Ctrl-C lets in-flight requests finish, then exits.

  --host HOST          address to listen on (default 127.0.0.1; 0.0.0.0 for all)
  --port N             port (default 8080; 0 picks a free one)
  --workers N          server processes sharing the port and the store (default 1; one per core
                       serves the most: bench/README.md "Speed and load"); needs a store file or Redis
  --threads N          ONNX Runtime threads per model run (default: cores ÷ workers, 1 or 2)
  --batch-window MS    how long a request waits for others to share its model run (default 0:
                       those that come in while the model runs share the next run)
  --max-batch N        the most drafts in one model run (default ${DEFAULT_MAX_BATCH})
  --log-level L        fatal, error, warn, info, debug or silent (default info: start, stop, a
                       Redis store going down and back, warnings and 5xx errors)
  --log-requests       also a line for each request as it comes and as it is answered (off by
                       default: a compose box sends one per pause in typing; GET /metrics counts them)
${PRODUCT_HELP}`;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** `hashtag-rec serve`: resolves with the exit code once the server has shut down. */
export async function runServe(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("serve", argv, {
    host: { type: "string" },
    port: { type: "string" },
    workers: { type: "string" },
    threads: { type: "string" },
    "batch-window": { type: "string" },
    "max-batch": { type: "string" },
    "log-level": { type: "string" },
    "log-requests": { type: "boolean" },
    ...PRODUCT_FLAGS,
  });
  if (values.help) {
    console.log(SERVE_HELP);
    return 0;
  }
  const settings = await productSettings(values);
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalidArgument(`--port must be an integer from 0 to 65535, got '${values.port}'`);
  const logLevel = values["log-level"] ?? "info";
  if (!LOG_LEVELS.includes(logLevel)) throw invalidArgument(`--log-level must be one of ${LOG_LEVELS.join(", ")}, got '${logLevel}'`);
  const windowMs = values["batch-window"] === undefined ? 0 : Number(values["batch-window"]);
  if (!Number.isFinite(windowMs) || windowMs < 0) throw invalidArgument(`--batch-window must be a number of ms ≥ 0, got '${values["batch-window"]}'`);
  const maxBatch = positiveInt("--max-batch", values["max-batch"], DEFAULT_MAX_BATCH);
  const workers = positiveInt("--workers", values.workers, 1);
  if (workers > 1 && settings.store === ":memory:") throw invalidArgument("--workers above 1 needs a store they can share: an SQLite file or redis://, not ':memory:'");
  const threads = positiveInt("--threads", values.threads, Math.max(1, Math.min(2, Math.floor(availableParallelism() / workers))));
  const description = `model ${settings.model}, store ${settings.store}${workers > 1 ? `, ${workers} workers` : ""}`;
  const options: ServeOptions = {
    model: settings.model,
    store: settings.store,
    halfLifeHours: settings.halfLifeHours,
    host: values.host ?? "127.0.0.1",
    port,
    threads,
    suggester: { ...settings.suggester, batching: { windowMs, maxBatch } },
    logLevel,
    logRequests: values["log-requests"] ?? false,
  };
  if (workers > 1 && cluster.isPrimary) {
    return runPrimary({
      workers,
      host: options.host,
      port,
      onListening: (url) => console.log(`hashtag-rec serving ${url}  (${description})`),
      log: (line) => console.error(`hashtag-rec serve: ${line}`),
    });
  }
  const serveHere = () => serveInThisProcess(options, description);
  if (!cluster.isWorker) return serveHere();
  try {
    return await serveHere();
  } finally {
    // Its channel to the primary would keep a worker alive, after serving or after failing to start.
    cluster.worker?.disconnect();
  }
}

/** Serves until SIGTERM or SIGINT, listening itself or, in a worker, on connections from the primary. */
async function serveInThisProcess(options: ServeOptions, description: string): Promise<number> {
  tuneThisProcess();
  const server = await startServer({
    ...options,
    // A worker's connections come from its primary, which listens; its GET /metrics answers for every worker.
    listen: !cluster.isWorker,
    ...(cluster.isWorker ? { gatherMetrics: clusterMetrics } : {}),
  });
  if (cluster.isWorker) {
    answerMetricsRequests(() => server.app.metrics.registry.getMetricsAsJSON());
    receiveConnections((socket) => server.accept(socket));
    announceReady();
  } else console.log(`hashtag-rec serving ${server.url}  (${description})`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      // Ctrl-C reaches a worker twice: from the terminal and from the primary.
      if (stopping) return;
      stopping = true;
      server.app.log.info(`${signal}: finishing in-flight requests, then exiting`);
      server.close().then(
        () => resolve(0),
        (error: unknown) => {
          console.error("hashtag-rec serve: error while shutting down:", error);
          resolve(1);
        },
      );
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
  });
}
