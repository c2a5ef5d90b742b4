import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { Readable } from "node:stream";
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

/** The path that names standard input. */
export const STDIN = "-";

/**
 * A text stream of the file, gunzipped when its first bytes say gzip (whatever its name). `-` is
 * standard input (a file named `-` is `./-`), which can be read once.
 */
export async function openText(path: string): Promise<Readable> {
  if (path === STDIN) return stdinText();
  await assertReadableFile(path);
  const raw = createReadStream(path);
  return asText(raw, await isGzip(path));
}

/** `raw` decoded as UTF-8, through gunzip when `gzip`; destroying the text stream closes `raw` too. */
function asText(raw: Readable, gzip: boolean): Readable {
  const stream = gzip ? raw.pipe(createGunzip()) : raw;
  if (stream !== raw) {
    raw.on("error", (error) => stream.destroy(error));
    stream.on("close", () => raw.destroy());
  }
  stream.setEncoding("utf8");
  return stream;
}

/** Standard input as text, gunzipped when its first two bytes say gzip. */
async function stdinText(): Promise<Readable> {
  let peeked;
  try {
    peeked = await peek(process.stdin, (chunks) => Buffer.concat(chunks as Buffer[]).length >= GZIP_MAGIC.length);
  } catch (error) {
    throw new HashtagRecError("UNREADABLE_FILE", `cannot read standard input: ${(error as Error).message}`, { cause: error });
  }
  const bytes = Buffer.concat(peeked.head as Buffer[]);
  return asText(peeked.stream, bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]);
}

/**
 * Reads `stream`'s first chunks until `enough(chunks)` says so or the stream ends, and gives them
 * with a stream that reads from the start again: `stream` itself, the chunks put back, or, when it
 * has ended (a stream then takes nothing back), a new one of just those chunks.
 */
export async function peek(stream: Readable, enough: (chunks: (Buffer | string)[]) => boolean): Promise<{ head: (Buffer | string)[]; stream: Readable }> {
  const head: (Buffer | string)[] = [];
  while (!enough(head)) {
    const chunk = stream.read() as Buffer | string | null;
    if (chunk !== null) {
      head.push(chunk);
      continue;
    }
    if (stream.readableEnded || stream.destroyed) break;
    const ended = await new Promise<boolean>((resolve, reject) => {
      const settle = (outcome: () => void) => {
        stream.off("readable", onReadable).off("end", onEnd).off("error", onError);
        outcome();
      };
      const onReadable = () => settle(() => resolve(false));
      const onEnd = () => settle(() => resolve(true));
      const onError = (error: Error) => settle(() => reject(error));
      stream.on("readable", onReadable).on("end", onEnd).on("error", onError);
    });
    if (ended) break;
  }
  if (stream.readableEnded) {
    const again = Readable.from(head, { objectMode: false });
    if (typeof head[0] === "string") again.setEncoding("utf8");
    return { head, stream: again };
  }
  for (const chunk of [...head].reverse()) stream.unshift(chunk);
  return { head, stream };
}

/** The file's lines (`-`: standard input's), streamed in constant memory, with 1-based line numbers. */
export async function* readLines(path: string): AsyncGenerator<{ line: number; text: string }> {
  yield* linesOf(await openText(path), path);
}

/** The lines of a text stream from `path` (named in errors), with 1-based line numbers. */
export async function* linesOf(stream: Readable, path: string): AsyncGenerator<{ line: number; text: string }> {
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
