import { HashtagRecError } from "./errors.js";

/**
 * Calls under way on something that closes, so that closing waits for them: a request whose
 * client has gone still has its draft queued for the model, and releasing the model or the store
 * under it would fail it. Once closing has begun, new calls fail with `SHUTTING_DOWN` (503), so
 * that steady traffic cannot hold the close off.
 *
 * @example
 * ```ts
 * const inFlight = new InFlight("the suggester");
 * const result = await inFlight.run(() => work());
 * await inFlight.close(); // resolves once no call is under way
 * ```
 */
export class InFlight {
  private count = 0;
  private closing: Promise<void> | undefined;
  private idle: (() => void) | undefined;

  /** `what` names the closing thing in the error for a call that comes too late. */
  constructor(private readonly what: string) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.closing) throw new HashtagRecError("SHUTTING_DOWN", `${this.what} is closed or closing`);
    this.count++;
    try {
      return await work();
    } finally {
      if (--this.count === 0) this.idle?.();
    }
  }

  /** Refuses new calls, and resolves once none is under way. */
  close(): Promise<void> {
    this.closing ??= this.count === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.idle = resolve));
    return this.closing;
  }
}

/**
 * `Promise.all` that settles every promise before it fails: a call must not end (and let
 * {@link InFlight.close} release the model) while one of its parts, a draft queued for the model,
 * is still under way.
 */
export async function allSettled<T extends readonly unknown[]>(promises: readonly [...{ [K in keyof T]: Promise<T[K]> }]): Promise<T> {
  const results = await Promise.allSettled(promises);
  for (const result of results) if (result.status === "rejected") throw result.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
