import { parseArgs, type ParseArgsConfig } from "node:util";
import { invalidArgument } from "../core/errors.js";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Parsed<T extends Options> = ReturnType<typeof parseArgs<{ options: T & { help: { type: "boolean"; short: "h" } }; allowPositionals: boolean; strict: true }>>;

/**
 * Parses one subcommand's arguments strictly: an unknown flag or a missing value is an
 * INVALID_ARGUMENT error that names the flag and points at `--help`.
 */
export function parseCommandArgs<T extends Options>(command: string, argv: string[], options: T, allowPositionals = false): Parsed<T> {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals, strict: true });
  } catch (error) {
    throw invalidArgument(`${command}: ${(error as Error).message.replace(/\. To specify a positional.*$/su, "")} (see 'hashtag-rec ${command} --help')`);
  }
}

/** A positive integer flag value, or an error naming the flag. */
export function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw invalidArgument(`${flag} must be a positive integer, got '${value}'`);
  return parsed;
}

/** A positive number flag value, or an error naming the flag. */
export function positiveNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw invalidArgument(`${flag} must be a positive number, got '${value}'`);
  return parsed;
}

/** A number flag value of 0 or more, or an error naming the flag. */
export function nonNegativeNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0) throw invalidArgument(`${flag} must be a number of 0 or more, got '${value}'`);
  return parsed;
}

/** A number flag value from 0 to 1, or an error naming the flag. */
export function fraction(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === "" || !(parsed >= 0 && parsed <= 1)) throw invalidArgument(`${flag} must be a number from 0 to 1, got '${value}'`);
  return parsed;
}

/** `--hashtags K|all`. */
export function vocabularySizeArg(value: string | undefined, fallback: number | "all"): number | "all" {
  if (value === undefined) return fallback;
  if (value === "all") return "all";
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw invalidArgument(`--hashtags must be a positive integer or 'all', got '${value}'`);
  return parsed;
}
