/** The most requests in a batch, unless set. */
export const DEFAULT_MAX_BATCH = 128;

/** Options of a {@link DynamicBatcher}. */
export interface BatcherOptions {
  /**
   * How long the first request of a batch waits for company, in ms (default 0: the batch runs
   * right after the requests read with it; those that come in while it runs form the next one).
   */
  windowMs?: number;
  /** The most requests in a batch (default {@link DEFAULT_MAX_BATCH}); more wait for the next. */
  maxBatch?: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Dynamic batching: concurrent single requests are sent to `run` as one batch (one model call), so
 * throughput grows with load. Batches run one at a time; the requests that arrive while one runs
 * form the next. A batch starts right after the I/O that brought its first request (or, with
 * `windowMs`, that many ms later, to wait for company): with this model a wait only costs, since
 * company comes while the model runs (bench/README.md "Speed and load").
 *
 * @example
 * ```ts
 * const batcher = new DynamicBatcher((drafts: Draft[]) => recommender.score(drafts));
 * const [a, b] = await Promise.all([batcher.submit({ text: "one" }), batcher.submit({ text: "two" })]);
 * // one ONNX run of batch 2
 * ```
 */
export class DynamicBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  /** The scheduled flush, if one is: right after this I/O phase, or at the end of a window. */
  private scheduled: { immediate: boolean; cancel: () => void } | undefined;
  private running = false;
  private readonly windowMs: number;
  private readonly maxBatch: number;
  /** Batches run so far, and the requests in them (for metrics and tests). */
  readonly stats = { batches: 0, items: 0 };

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    options: BatcherOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 0;
    this.maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.flushSoon(0);
      else this.flushSoon(this.windowMs);
    });
  }


  /** Requests waiting for a batch. */
  get pending(): number {
    return this.queue.length;
  }

  private flushSoon(delayMs: number): void {
    if (this.running) return; // the running batch schedules the next one when it ends
    if (this.scheduled !== undefined) {
      // A flush already due no later than asked stays as it is (re-scheduling could put it off forever).
      if (delayMs > 0 || this.scheduled.immediate) return;
      this.scheduled.cancel();
    }
    // No wait: right after the requests that came in with this one (the rest of the I/O phase).
    if (delayMs === 0) {
      const immediate = setImmediate(() => void this.flush());
      this.scheduled = { immediate: true, cancel: () => clearImmediate(immediate) };
    } else {
      const timer = setTimeout(() => void this.flush(), delayMs);
      this.scheduled = { immediate: false, cancel: () => clearTimeout(timer) };
    }
  }

  private async flush(): Promise<void> {
    this.scheduled = undefined;
    if (this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.running = true;
    this.stats.batches++;
    this.stats.items += batch.length;
    try {
      const outputs = await this.run(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(outputs[i]!));
    } catch (error) {
      for (const p of batch) p.reject(error);
    } finally {
      this.running = false;
      // Requests that came in while the model ran have waited long enough: run them now.
      if (this.queue.length > 0) this.flushSoon(0);
    }
  }
}
