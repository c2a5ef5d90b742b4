import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadSplit, parseSplitDate, type LoadedSplit } from "../src/eval/dataset.js";

/** The shared corpus, read in place (never copied into the repository). */
export const CORPUS = fileURLToPath(new URL("../../../shared/data/tweets-2023/tweets.jsonl.gz", import.meta.url));
/** The time split every benchmark uses: train before, test from. */
export const SPLIT_DATE = "2023-05-11";
/** Validation for tuning: train before VALIDATION_DATE, validate on [VALIDATION_DATE, SPLIT_DATE). */
export const VALIDATION_DATE = "2023-05-08";

export function corpusPath(): string {
  const path = process.env.HASHTAG_REC_CORPUS ?? CORPUS;
  if (!existsSync(path)) {
    console.error(`benchmark corpus not found at ${path}; set HASHTAG_REC_CORPUS`);
    process.exit(3);
  }
  return path;
}

export async function loadTimeSplit(): Promise<LoadedSplit> {
  return loadSplit({ data: corpusPath(), split: parseSplitDate(SPLIT_DATE) });
}

/** Training tweets before VALIDATION_DATE and validation tweets up to SPLIT_DATE. */
export function validationSplit(train: LoadedSplit["train"]): LoadedSplit["train"][] {
  const cut = parseSplitDate(VALIDATION_DATE);
  return [train.filter((e) => e.time! < cut), train.filter((e) => e.time! >= cut)];
}

/** What an online bench scores: the test window, or the validation days (where choices are made). */
export type OnlineWindow = "test" | "validation";

/** `--window`'s value; exits with 2, naming it, when it is neither. */
export function windowOption(value: string | undefined): OnlineWindow {
  if (value !== "validation" && value !== "test") {
    console.error(`--window must be 'validation' or 'test', got '${value}'`);
    process.exit(2);
  }
  return value;
}

/** The tweets the store ingests before a window, the window's tweets, and its name for the printouts. */
export async function loadOnlineWindow(window: OnlineWindow): Promise<{ ingested: LoadedSplit["train"]; scored: LoadedSplit["test"]; name: string }> {
  const { train, test } = await loadTimeSplit();
  if (window === "test") return { ingested: train, scored: test, name: `the test window, from ${SPLIT_DATE}` };
  const [ingested, scored] = validationSplit(train) as [LoadedSplit["train"], LoadedSplit["train"]];
  return { ingested, scored, name: `the validation days, ${VALIDATION_DATE} to ${SPLIT_DATE}` };
}

export function fmt(value: number): string {
  return value.toFixed(3);
}
