const DAY_MS = 86_400_000;

/**
 * The validation split: rows with a time at or after `max_time - valDays` days. Undefined when
 * there is no validation part (no times, or `valDays` 0).
 *
 * @example
 * ```ts
 * new Date(splitTime(Date.parse("2023-05-17T12:00:00Z"), 2)!).toISOString(); // "2023-05-15T12:00:00.000Z"
 * ```
 */
export function splitTime(maxTime: number | undefined, valDays: number): number | undefined {
  if (maxTime === undefined || valDays <= 0) return undefined;
  return maxTime - valDays * DAY_MS;
}

/**
 * Whether a row is in validation: it has a time at or after the split. Rows without a time train.
 *
 * @example
 * ```ts
 * isValidation(10, 5); // true
 * isValidation(null, 5); // false
 * ```
 */
export function isValidation(time: number | null, split: number | undefined): boolean {
  return split !== undefined && time !== null && time >= split;
}
