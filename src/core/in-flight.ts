import { HashtagRecError } from "./errors.js";

/**
 * Calls under way on something that closes, so that closing waits for them: a request whose
 * client has gone still has its draft queued for the model, and releasing the model or the store
 * under it would fail it. Calls that start while closing are waited for too; after, they fail.
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
  private closed = false;
  private closing: Promise<void> | undefined;
  private idle: (() => void) | undefined;

  /** `what` names the closing thing in the error for a call after it closed. */
  constructor(private readonly what: string) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new HashtagRecError("INTERNAL", `${this.what} is closed`);
    this.count++;
    try {
      return await work();
    } finally {
      if (--this.count === 0) this.idle?.();
    }
  }

  /** Resolves once no call is under way; later calls fail. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.count > 0) await new Promise<void>((resolve) => (this.idle = resolve));
      this.idle = undefined;
      this.closed = true;
    })();
    return this.closing;
  }
}
