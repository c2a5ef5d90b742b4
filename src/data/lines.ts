import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import { HashtagRecError } from "../core/errors.js";

const GZIP_MAGIC = [0x1f, 0x8b];

/** Throws a catalogued error when `path` is missing or not a readable file. */
export async function assertReadableFile(path: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new HashtagRecError("FILE_NOT_FOUND", `cannot read '${path}': no such file`, { cause: error });
  }
  if (!info.isFile()) throw new HashtagRecError("UNREADABLE_FILE", `cannot read '${path}': not a regular file`);
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === GZIP_MAGIC[0] && buffer[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/** A text stream of the file, gunzipped when its first bytes say gzip (whatever its name). */
export async function openText(path: string): Promise<Readable> {
  await assertReadableFile(path);
  const raw = createReadStream(path);
  const stream = (await isGzip(path)) ? raw.pipe(createGunzip()) : raw;
  raw.on("error", (error) => stream.destroy(error));
  stream.setEncoding("utf8");
  return stream;
}

/** The file's lines, streamed in constant memory, with 1-based line numbers. */
export async function* readLines(path: string): AsyncGenerator<{ line: number; text: string }> {
  const stream = await openText(path);
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line += 1;
      yield { line, text };
    }
  } catch (error) {
    throw new HashtagRecError("UNREADABLE_FILE", `cannot read '${path}' after line ${line}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    lines.close();
    stream.destroy();
  }
}
