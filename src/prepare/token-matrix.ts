import { StreamWriter } from "./line-writer.js";

/**
 * Element type of `train.bin`/`val.bin`: uint16 when every id fits, else uint32.
 *
 * @example
 * ```ts
 * const dtype: TokenDtype = dtypeFor(26000); // "uint16"
 * ```
 */
export type TokenDtype = "uint16" | "uint32";

/**
 * The dtype for a vocabulary: ids go up to `vocab_size - 1`.
 *
 * @example
 * ```ts
 * dtypeFor(26000); // "uint16"
 * dtypeFor(70000); // "uint32"
 * ```
 */
export function dtypeFor(vocabSize: number): TokenDtype {
  return vocabSize <= 65_536 ? "uint16" : "uint32";
}

const ROWS_PER_CHUNK = 2048;

/**
 * Streams rows of token ids into a row-major, little-endian `(n, maxLength)` matrix file (the
 * nanoGPT `.bin` convention; numpy reads it with `np.memmap(path, dtype="<u2", shape=(n, L))`).
 * Short rows are padded with `padId`; a row longer than `maxLength` is an error.
 *
 * @example
 * ```ts
 * const w = new TokenMatrixWriter("train.bin", { maxLength: 4, dtype: "uint16", padId: 0 });
 * await w.push([2, 17, 3]); // bytes 02 00 11 00 03 00 00 00
 * await w.close(); // 1 (rows written)
 * ```
 */
export class TokenMatrixWriter {
  private readonly out: StreamWriter;
  private readonly bytes: number;
  private readonly chunk: Buffer;
  private readonly view: DataView;
  private inChunk = 0;
  rows = 0;

  constructor(
    path: string,
    private readonly options: { maxLength: number; dtype: TokenDtype; padId: number },
  ) {
    this.out = new StreamWriter(path);
    this.bytes = options.dtype === "uint16" ? 2 : 4;
    this.chunk = Buffer.alloc(ROWS_PER_CHUNK * options.maxLength * this.bytes);
    this.view = new DataView(this.chunk.buffer, this.chunk.byteOffset, this.chunk.byteLength);
  }

  /** Appends one row. */
  async push(ids: readonly number[]): Promise<void> {
    const { maxLength, padId } = this.options;
    if (ids.length > maxLength) throw new RangeError(`row of ${ids.length} tokens is longer than max_length ${maxLength}`);
    let offset = this.inChunk * maxLength * this.bytes;
    for (let i = 0; i < maxLength; i += 1, offset += this.bytes) {
      const id = i < ids.length ? ids[i]! : padId;
      if (this.bytes === 2) this.view.setUint16(offset, id, true);
      else this.view.setUint32(offset, id, true);
    }
    this.inChunk += 1;
    this.rows += 1;
    if (this.inChunk === ROWS_PER_CHUNK) await this.flush();
  }

  /** Writes what is buffered, closes the file and returns the number of rows. */
  async close(): Promise<number> {
    await this.flush();
    await this.out.close();
    return this.rows;
  }

  private async flush(): Promise<void> {
    if (this.inChunk === 0) return;
    await this.out.write(Buffer.from(this.chunk.subarray(0, this.inChunk * this.options.maxLength * this.bytes)));
    this.inChunk = 0;
  }
}
