/**
 * The one error catalogue. Every error the project raises on purpose has a stable code,
 * an HTTP status (for the API) and a CLI exit code, so callers can branch on `code`
 * instead of parsing messages.
 *
 * @example
 * ```ts
 * throw new HashtagRecError("INVALID_ARGUMENT", "--hashtags must be a positive integer or 'all', got 'x'");
 * ```
 */
export const ERROR_CATALOGUE = {
  INVALID_ARGUMENT: { status: 400, exitCode: 2 },
  INVALID_JSON: { status: 400, exitCode: 2 },
  NOT_FOUND: { status: 404, exitCode: 2 },
  DUPLICATE_TWEET: { status: 409, exitCode: 2 },
  PAYLOAD_TOO_LARGE: { status: 413, exitCode: 2 },
  FILE_NOT_FOUND: { status: 404, exitCode: 3 },
  UNREADABLE_FILE: { status: 422, exitCode: 3 },
  UNSUPPORTED_FORMAT: { status: 415, exitCode: 3 },
  NO_DATA: { status: 422, exitCode: 4 },
  MODEL_INVALID: { status: 500, exitCode: 5 },
  DEPENDENCY_MISSING: { status: 500, exitCode: 6 },
  STORE_UNAVAILABLE: { status: 503, exitCode: 7 },
  SHUTTING_DOWN: { status: 503, exitCode: 1 },
  INTERNAL: { status: 500, exitCode: 1 },
} as const satisfies Record<string, { status: number; exitCode: number }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export class HashtagRecError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HashtagRecError";
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.exitCode = ERROR_CATALOGUE[code].exitCode;
  }
}

/** Shorthand for the most common error: a caller passed a value we cannot use. */
export function invalidArgument(message: string): HashtagRecError {
  return new HashtagRecError("INVALID_ARGUMENT", message);
}
