import cluster, { type Worker } from "node:cluster";
import { createServer, type Server, type Socket } from "node:net";
import { HashtagRecError } from "../core/errors.js";
import { mergeMetrics, type MetricsSnapshot } from "./metrics.js";
import { listenError, listeningPort, serverUrl } from "./server.js";
import { workerExecArgv } from "./v8-flags.js";

/**
 * Messages between the primary of `serve --workers` and its workers. For `GET /metrics` the worker
 * that took the request asks the primary (`metrics`), the primary asks every ready worker for its
 * snapshot (`metrics-snapshot`) and answers the first with them together (`metrics`, its `text`).
 */
interface WorkerMessage {
  hashtagRec: "ready" | "connection" | "metrics" | "metrics-snapshot";
  id?: number;
  text?: string;
  error?: string;
  snapshot?: MetricsSnapshot;
}

/**
 * How long the primary waits for the workers' snapshots; those that come later are left out of
 * that answer. A snapshot waits at most 250 ms for the store (`store_up`).
 */
const SNAPSHOT_WAIT_MS = 2000;
/** How long a worker waits for the primary's answer. */
const GATHERED_WAIT_MS = 5000;

/** Sends `message` on the IPC channel, if it is still open; a channel that breaks meanwhile (the other side died) is not an error here. */
function sendQuietly(to: { send?: (message: WorkerMessage, callback: (error: Error | null) => void) => boolean } | undefined, message: WorkerMessage): void {
  to?.send?.(message, () => undefined);
}

/** In a worker: tells the primary that the model and store are loaded and connections may come. */
export function announceReady(): void {
  const message: WorkerMessage = { hashtagRec: "ready" };
  process.send?.(message);
}

/** In a worker: `accept` receives each connection the primary hands over. */
export function receiveConnections(accept: (socket: Socket) => void): void {
  process.on("message", (message: Partial<WorkerMessage> | undefined, socket?: Socket) => {
    if (message?.hashtagRec === "connection" && socket) accept(socket);
  });
}

/** In a worker: answers the primary's requests for this process's metrics with `own()`. */
export function answerMetricsRequests(own: () => Promise<MetricsSnapshot>): void {
  process.on("message", (message: Partial<WorkerMessage> | undefined) => {
    if (message?.hashtagRec !== "metrics-snapshot" || message.id === undefined) return;
    const { id } = message;
    own().then(
      (snapshot) => sendQuietly(process, { hashtagRec: "metrics-snapshot", id, snapshot }),
      // Not answering leaves this worker out of that answer.
      () => undefined,
    );
  });
}

/** This worker's `GET /metrics` requests waiting for the primary's answer, by id. */
const awaitingMetrics = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
let metricsRequests = 0;

/** In a worker: every worker's metrics, gathered by the primary, each series labelled with its worker (Prometheus' text format). */
export function clusterMetrics(): Promise<string> {
  if (metricsRequests === 0) {
    process.on("message", (message: Partial<WorkerMessage> | undefined) => {
      if (message?.hashtagRec !== "metrics" || message.id === undefined) return;
      const waiting = awaitingMetrics.get(message.id);
      if (message.error !== undefined) waiting?.reject(new HashtagRecError("INTERNAL", `the workers' metrics could not be gathered: ${message.error}`));
      else waiting?.resolve(message.text ?? "");
    });
  }
  const id = metricsRequests++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => settle(() => reject(new HashtagRecError("INTERNAL", `the primary process did not gather the workers' metrics within ${GATHERED_WAIT_MS / 1000} s`))),
      GATHERED_WAIT_MS,
    );
    const settle = (then: () => void) => {
      clearTimeout(timer);
      awaitingMetrics.delete(id);
      then();
    };
    awaitingMetrics.set(id, { resolve: (text) => settle(() => resolve(text)), reject: (error) => settle(() => reject(error)) });
    sendQuietly(process, { hashtagRec: "metrics", id });
  });
}

export interface PrimaryOptions {
  workers: number;
  host: string;
  port: number;
  /** Called once, when every worker is ready and the port listens. */
  onListening: (url: string) => void;
  /** Lines for the operator (worker exits, restarts, shutdown). */
  log: (line: string) => void;
}

/** The longest wait before starting a replacement for workers that keep dying. */
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * The primary process of `serve --workers N`. It forks N workers, each running the same command
 * line: its own model session, the shared store. Then it listens itself and hands each new
 * connection to the next worker in turn, so that long-lived connections are shared out evenly
 * (node:cluster's own round robin gives each to whichever worker is free first: 81 and 119 of 200
 * in the load bench).
 *
 * The first worker starts alone, so that a bad model or store fails once, with the worker's own
 * message and exit code, and stops the start. Once serving, a worker that dies is replaced, at
 * once the first time and then after a doubling wait (up to 30 s) while replacements keep dying
 * before they are ready (a store that is down, a model being swapped). On SIGTERM or SIGINT the
 * primary stops listening and passes the signal on; each worker finishes its in-flight requests; a
 * second signal kills them. Resolves with 0 once all have exited cleanly, else 1 (or the failed
 * start's code). Workers run with the server's V8 settings ({@link workerExecArgv}).
 */
export function runPrimary(options: PrimaryOptions): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const alive = new Set<Worker>();
    /** Ready workers, in the order connections go to them. */
    const ready: Worker[] = [];
    let next = 0;
    let listener: Server | undefined;
    let othersForked = false;
    /** Workers that died, one after another, without a new one getting ready. */
    let failures = 0;
    /** Set once shutting down: the code to exit with if every worker exits cleanly. */
    let stopping: { code: number; error?: unknown } | undefined;
    let unclean = false;

    const resolveWhenAllExited = () => {
      if (!stopping || alive.size > 0) return;
      if (stopping.error !== undefined) reject(stopping.error);
      else resolve(stopping.code !== 0 ? stopping.code : unclean ? 1 : 0);
    };

    const stop = (signal: NodeJS.Signals, code: number, error?: unknown) => {
      if (stopping) {
        if (alive.size > 0) options.log(`second ${signal}: killing the workers`);
        for (const worker of alive) worker.process.kill("SIGKILL");
        return;
      }
      stopping = { code, error };
      if (listener?.listening) {
        options.log(`${signal}: each worker finishes its in-flight requests, then exits (again to kill them)`);
        listener.close();
      }
      for (const worker of alive) worker.process.kill(signal);
      resolveWhenAllExited();
    };

    /** Snapshots being gathered for a worker's `GET /metrics`, by the id the primary gave them. */
    const gathering = new Map<number, (worker: Worker, snapshot: MetricsSnapshot) => void>();
    let gathered = 0;
    /** Asks every ready worker for its metrics and sends `asker` them together (whatever came within SNAPSHOT_WAIT_MS). */
    const gatherMetrics = (asker: Worker, askerId: number) => {
      const id = gathered++;
      const asked = [...ready];
      const snapshots = new Map<Worker, MetricsSnapshot>();
      const reply = (message: WorkerMessage) => {
        if (asker.isConnected()) sendQuietly(asker, message);
      };
      const answer = () => {
        clearTimeout(timer);
        gathering.delete(id);
        if (snapshots.size === 0) {
          reply({ hashtagRec: "metrics", id: askerId, error: `no worker answered within ${SNAPSHOT_WAIT_MS / 1000} s` });
          return;
        }
        mergeMetrics([...snapshots].map(([worker, snapshot]) => ({ worker: String(worker.id), snapshot }))).then(
          (text) => reply({ hashtagRec: "metrics", id: askerId, text }),
          (error: unknown) => reply({ hashtagRec: "metrics", id: askerId, error: (error as Error).message }),
        );
      };
      const timer = setTimeout(answer, SNAPSHOT_WAIT_MS);
      gathering.set(id, (worker, snapshot) => {
        snapshots.set(worker, snapshot);
        if (asked.every((w) => snapshots.has(w))) answer();
      });
      for (const worker of asked) if (worker.isConnected()) sendQuietly(worker, { hashtagRec: "metrics-snapshot", id });
    };

    const handOver = (socket: Socket) => {
      const worker = ready[next++ % Math.max(ready.length, 1)];
      if (!worker || stopping) {
        socket.destroy();
        return;
      }
      const message: WorkerMessage = { hashtagRec: "connection" };
      worker.send(message, socket, (error) => {
        if (error) socket.destroy();
      });
    };

    const listen = () => {
      listener = createServer({ pauseOnConnect: true }, handOver);
      listener.once("error", (error) => stop("SIGTERM", 1, listenError(error, options.host, options.port)));
      listener.listen(options.port, options.host, () => {
        // Past listening, an accept error (out of file descriptors, say) is worth a line, not a stop.
        listener!.removeAllListeners("error");
        listener!.on("error", (error) => options.log(`accepting a connection failed: ${error.message}`));
        options.onListening(serverUrl(options.host, listeningPort(listener!, options.port)));
      });
    };

    const fork = () => {
      const worker = cluster.fork();
      alive.add(worker);
      // A channel that breaks as the worker dies is told by its 'exit', below; unheard, the error would end the primary.
      worker.on("error", (error) => options.log(`worker ${worker.process.pid}: ${error.message}`));
      worker.on("message", (message: Partial<WorkerMessage> | undefined) => {
        if (message?.hashtagRec === "metrics" && message.id !== undefined) gatherMetrics(worker, message.id);
        if (message?.hashtagRec === "metrics-snapshot" && message.id !== undefined && message.snapshot) gathering.get(message.id)?.(worker, message.snapshot);
        if (message?.hashtagRec !== "ready" || stopping) return;
        ready.push(worker);
        failures = 0;
        // The first worker started alone; the others follow once it has loaded everything.
        if (!othersForked) {
          othersForked = true;
          for (let i = 1; i < options.workers; i++) fork();
        }
        if (listener === undefined && ready.length === options.workers) listen();
      });
      worker.on("exit", (code, signal) => {
        alive.delete(worker);
        const at = ready.indexOf(worker);
        if (at >= 0) ready.splice(at, 1);
        const how = signal ?? `code ${code}`;
        if (stopping) {
          // A worker still starting when the signal came dies of it; one that was serving exits 0.
          if ((code !== null && code !== 0) || (signal !== null && at >= 0)) unclean = true;
          resolveWhenAllExited();
        } else if (listener === undefined) {
          // It failed to start (its own error is on stderr), and so would the next one.
          stop("SIGTERM", code === null || code === 0 ? 1 : code);
        } else {
          const delayMs = failures === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 500 * 2 ** (failures - 1));
          failures++;
          options.log(`worker ${worker.process.pid} exited with ${how}${at < 0 ? " before it was ready" : ""}; starting another${delayMs > 0 ? ` in ${delayMs / 1000} s` : ""}`);
          setTimeout(() => {
            if (!stopping) fork();
          }, delayMs);
        }
      });
    };

    process.on("SIGTERM", () => stop("SIGTERM", 0));
    process.on("SIGINT", () => stop("SIGINT", 0));
    cluster.setupPrimary({ execArgv: workerExecArgv() });
    fork();
  });
}
