import { invalidArgument } from "../core/errors.js";
import { startServer } from "../server/server.js";
import { parseCommandArgs, positiveInt } from "./args.js";
import { PRODUCT_FLAGS, PRODUCT_HELP, productSettings } from "./product-options.js";

export const SERVE_HELP = `Usage: hashtag-rec serve [options]

Serves the compose page (/) and the HTTP API (/v1/suggest, /v1/hashtags, /v1/tweets, /healthz,
/readyz, /openapi.json). SIGTERM or Ctrl-C lets in-flight requests finish, then exits.

  --host HOST          address to listen on (default 127.0.0.1; 0.0.0.0 for all)
  --port N             port (default 8080; 0 picks a free one)
  --threads N          ONNX Runtime threads per model run (default 2)
  --batch-window MS    how long a request waits to share a model run (default 2)
  --log-level L        fatal, error, warn, info, debug or silent (default info)
${PRODUCT_HELP}`;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** `hashtag-rec serve`: resolves with the exit code once the server has shut down. */
export async function runServe(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("serve", argv, {
    host: { type: "string" },
    port: { type: "string" },
    threads: { type: "string" },
    "batch-window": { type: "string" },
    "log-level": { type: "string" },
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
  const windowMs = values["batch-window"] === undefined ? 2 : Number(values["batch-window"]);
  if (!Number.isFinite(windowMs) || windowMs < 0) throw invalidArgument(`--batch-window must be a number of ms ≥ 0, got '${values["batch-window"]}'`);
  const server = await startServer({
    model: settings.model,
    store: settings.store,
    halfLifeHours: settings.halfLifeHours,
    host: values.host ?? "127.0.0.1",
    port,
    threads: positiveInt("--threads", values.threads, 2),
    suggester: { ...settings.suggester, batching: { windowMs } },
    logLevel,
  });
  console.log(`hashtag-rec serving ${server.url}  (model ${settings.model}, store ${settings.store})`);
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      server.app.log.info(`${signal}: finishing in-flight requests, then exiting`);
      server.close().then(
        () => resolve(0),
        (error: unknown) => {
          console.error("hashtag-rec serve: error while shutting down:", error);
          resolve(1);
        },
      );
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
}
