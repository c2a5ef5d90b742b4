/** Options of a {@link DynamicBatcher}. */
export interface BatcherOptions {
  /** How long the first request of a batch waits for company, in ms (default 2). */
  windowMs?: number;
  /** A batch runs as soon as it has this many requests (default 64). */
  maxBatch?: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Dynamic batching: concurrent single requests are gathered for a few milliseconds and sent to
 * `run` as one batch (one ONNX run), so throughput grows with load while a lone request waits at
 * most `windowMs`. Batches run one at a time; requests that arrive meanwhile form the next one.
 *
 * @example
 * ```ts
 * const batcher = new DynamicBatcher((drafts: Draft[]) => recommender.score(drafts), { windowMs: 2 });
 * const [a, b] = await Promise.all([batcher.submit({ text: "one" }), batcher.submit({ text: "two" })]);
 * // one ONNX run of batch 2
 * ```
 */
export class DynamicBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly windowMs: number;
  private readonly maxBatch: number;
  /** Batches run so far, and the requests in them (for metrics and tests). */
  readonly stats = { batches: 0, items: 0 };

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    options: BatcherOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 2;
    this.maxBatch = options.maxBatch ?? 64;
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
    if (this.timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => void this.flush(), delayMs);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
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
