import { HashtagRecError, invalidArgument } from "../core/errors.js";
import { toExample, type Example } from "../data/examples.js";
import { STDIN } from "../data/lines.js";
import { openTweets, type FieldOptions } from "../data/readers.js";
import type { MalformedRows } from "../data/tweet.js";

/** Tweets without a time are spaced this far apart, in file order. */
export const MISSING_TIME_STEP_MS = 10_000;

export interface LoadedFile {
  path: string;
  examples: Example[];
  malformed: MalformedRows;
}

/** Reads and cleans a whole corpus file. `onRow` sees the running count (for a progress bar). */
export async function loadExamples(path: string, fields: FieldOptions = {}, onRow?: (rows: number) => void): Promise<LoadedFile> {
  const source = await openTweets(path, fields);
  const examples: Example[] = [];
  for await (const tweet of source.rows) {
    examples.push(toExample(tweet));
    if (onRow && examples.length % 1000 === 0) onRow(examples.length);
  }
  return { path, examples, malformed: source.malformed };
}

export interface SplitOptions {
  /** Test file (`--data`). */
  data: string;
  /** Training file (`--train`); with `split` and no `train`, both sides come from `data`. */
  train?: string | undefined;
  /** `--split DATE`: training rows before it, test rows from it. */
  split?: number | undefined;
  fields?: FieldOptions;
  onRow?: (rows: number) => void;
}

export interface LoadedSplit {
  train: Example[];
  test: Example[];
  files: LoadedFile[];
  /** When the test tweets were posted (ms; undefined where the file gives no time), before the replay's adjustments. */
  testPostedAt: (number | undefined)[];
}

function withoutTime(file: LoadedFile): Example[] {
  const kept: Example[] = [];
  for (const example of file.examples) {
    if (example.time === undefined) file.malformed.add(example.line, "no date (needed by --split)");
    else kept.push(example);
  }
  return kept;
}

/**
 * Loads the training and test tweets of an evaluation and gives every tweet a time:
 * tweets without `created_at` keep file order, 10 s apart, starting just after the previous
 * tweet (for the test set: just after the last training tweet); a test set that starts before
 * the training data ends is replayed as if it started just after it, its gaps kept.
 */
export async function loadSplit(options: SplitOptions): Promise<LoadedSplit> {
  const fields = options.fields ?? {};
  if (options.train === STDIN && options.data === STDIN) throw invalidArgument("--train and --data cannot both be '-': standard input is read once; give one of them a file");
  const dataFile = await loadExamples(options.data, fields, options.onRow);
  const files = [dataFile];
  let train: Example[] = [];
  let test = dataFile.examples;
  if (options.train !== undefined) {
    const trainFile = await loadExamples(options.train, fields, options.onRow);
    files.push(trainFile);
    train = trainFile.examples;
  }
  if (options.split !== undefined) {
    const split = options.split;
    const timedTest = withoutTime(dataFile);
    test = timedTest.filter((e) => e.time! >= split);
    if (options.train === undefined) train = timedTest.filter((e) => e.time! < split);
    else train = withoutTime(files[1]!).filter((e) => e.time! < split);
  }
  if (test.length === 0) throw new HashtagRecError("NO_DATA", `no test tweets in '${options.data}'${options.split !== undefined ? " from the split date" : ""}`);
  const testPostedAt = test.map((e) => e.time);
  assignTimes(train, 0);
  const trainEnd = train.length > 0 ? timeRange(train).latest : 0;
  assignTimes(test, trainEnd + MISSING_TIME_STEP_MS);
  const testStart = timeRange(test).earliest;
  if (train.length > 0 && testStart <= trainEnd) shiftTimes(test, trainEnd + MISSING_TIME_STEP_MS - testStart);
  return { train, test, files, testPostedAt };
}

/** Fills missing times in file order, 10 s after the previous tweet (the first at `start`). */
function assignTimes(examples: Example[], start: number): void {
  let previous: number | undefined;
  for (const example of examples) {
    example.time ??= previous === undefined ? start : previous + MISSING_TIME_STEP_MS;
    previous = example.time;
  }
}

function timeRange(examples: readonly Example[]): { earliest: number; latest: number } {
  let earliest = Infinity;
  let latest = -Infinity;
  for (const { time } of examples) {
    earliest = Math.min(earliest, time!);
    latest = Math.max(latest, time!);
  }
  return { earliest, latest };
}

function shiftTimes(examples: Example[], by: number): void {
  for (const example of examples) example.time = example.time! + by;
}

/** Parses `--split` as a date (ISO 8601, e.g. 2023-05-11, read as UTC midnight). */
export function parseSplitDate(value: string): number {
  const time = Date.parse(value);
  if (!Number.isFinite(time)) throw invalidArgument(`--split must be a date such as 2023-05-11, got '${value}'`);
  return time;
}
