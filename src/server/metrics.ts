import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Suggester } from "../recommend/suggester.js";

/** What `GET /metrics` answers with: Prometheus' text format. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** One process's metrics as `Registry.getMetricsAsJSON` gives them, to be answered with the other workers' (each labelled, {@link mergeMetrics}). */
export type MetricsSnapshot = Awaited<ReturnType<Registry["getMetricsAsJSON"]>>;

const PREFIX = "hashtag_rec_";

/** Request durations, in seconds: from a cached answer (under a ms) to a request waiting out a slow spell. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

export interface ServerMetricsOptions {
  suggester: Suggester;
  /** Whether the trending store answers now (asked at each scrape). */
  storeUp: () => Promise<boolean>;
  /** Node.js process metrics too (CPU, memory, event-loop delay, garbage collection). Default false. */
  processMetrics?: boolean;
}

/**
 * The server's Prometheus metrics, in a registry of their own (every app its own, so tests and
 * workers never share one): requests by route and status and their durations, tweets and hashtag
 * uses ingested, the model's batches, whether the store answers, the blend's lessons, and
 * optionally the process's own. Names start with `hashtag_rec_`. The workers of `serve --workers
 * N` answer together, each series labelled with its worker ({@link mergeMetrics}).
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"method" | "route" | "status">;
  private readonly durations: Histogram<"method" | "route">;
  private readonly tweets: Counter;
  private readonly hashtagUses: Counter;

  constructor(options: ServerMetricsOptions) {
    const { suggester, storeUp } = options;
    const registers = [this.registry];
    this.requests = new Counter({
      name: `${PREFIX}http_requests_total`,
      help: "HTTP requests answered, by method, route (its pattern; 'unmatched' for no route) and status code.",
      labelNames: ["method", "route", "status"] as const,
      registers,
    });
    this.durations = new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: "Time from a request's arrival to its answer, by method and route.",
      labelNames: ["method", "route"] as const,
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.tweets = new Counter({ name: `${PREFIX}tweets_ingested_total`, help: "Tweets ingested through POST /v1/tweets.", registers });
    this.hashtagUses = new Counter({ name: `${PREFIX}hashtag_uses_ingested_total`, help: "Hashtag uses those tweets added to the trending store.", registers });
    const batchCounter = (name: string, help: string, read: (stats: { batches: number; items: number }) => number) =>
      new Counter({
        name: `${PREFIX}${name}`,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read(suggester.batchStats ?? { batches: 0, items: 0 }));
        },
      });
    batchCounter("model_batches_total", "Model runs (each a batch of drafts: suggestions, and the blend's lessons from ingested tweets).", (stats) => stats.batches);
    batchCounter("model_batched_drafts_total", "Drafts in those runs; divided by the runs, the mean batch size.", (stats) => stats.items);
    new Gauge({
      name: `${PREFIX}store_up`,
      help: "1 when the trending store answers a ping within 250 ms, else 0.",
      registers,
      async collect() {
        this.set((await storeUp()) ? 1 : 0);
      },
    });
    new Gauge({
      name: `${PREFIX}blend_lessons`,
      help: "Tweets the blend's weights have learned from, as this process last read them from the store.",
      registers,
      collect() {
        this.set(suggester.blendLessons);
      },
    });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }

  /** Counts an answered request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.durations.observe({ method, route }, seconds);
  }

  /** Counts an ingest's new tweets and their hashtag uses. */
  observeIngest(tweets: number, hashtagUses: number): void {
    this.tweets.inc(tweets);
    this.hashtagUses.inc(hashtagUses);
  }
}

/**
 * Workers' snapshots as one answer, each worker's series labelled `worker` with its id: Prometheus
 * sums them (`sum(rate(hashtag_rec_http_requests_total[5m]))`), and a worker replaced or late to
 * answer is a series that restarts or pauses, never a total that falls.
 */
export async function mergeMetrics(snapshots: { worker: string; snapshot: MetricsSnapshot }[]): Promise<string> {
  const labelled = snapshots.map(({ worker, snapshot }) =>
    snapshot.map((metric) => ({
      ...metric,
      // Every series is a worker's own, so none is summed with another's (and none left out, as "omit" would).
      aggregator: "sum" as const,
      values: metric.values.map((value) => ({ ...value, labels: { ...value.labels, worker } })),
    })),
  );
  return AggregatorRegistry.aggregate(labelled).metrics();
}
