import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";

/**
 * Writes a file piece by piece in constant memory, waiting when the stream is full.
 *
 * @example
 * ```ts
 * const out = new StreamWriter("rows.jsonl");
 * await out.write('{"a":1}\n');
 * await out.close();
 * ```
 */
export class StreamWriter {
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { highWaterMark: 1 << 20 });
    this.stream.on("error", (error) => {
      this.failure = error;
    });
  }

  /** Appends a string (UTF-8) or bytes. */
  async write(chunk: string | Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.stream.write(chunk)) await Promise.race([once(this.stream, "drain"), once(this.stream, "error")]);
    if (this.failure) throw this.failure;
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    if (this.failure) throw this.failure;
    this.stream.end();
    await once(this.stream, "finish");
  }
}
