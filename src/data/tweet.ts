/** One row of a tweet corpus, as the readers yield it. */
export interface Tweet {
  id: string;
  /** Milliseconds since the epoch, or undefined where the source has no time. */
  createdAt: number | undefined;
  text: string;
  /** 1-based line (JSON lines) or record start line (CSV) in the source file. */
  line: number;
}

/** A row the reader could not use, kept with its line so a person can find it. */
export interface MalformedRow {
  line: number;
  reason: string;
}

/**
 * Rows a reader skipped: counted in full, with the first `MAX_LISTED` line numbers kept.
 * Bad rows never stop a run and are never dropped silently.
 */
export class MalformedRows {
  static readonly MAX_LISTED = 100;
  count = 0;
  readonly listed: MalformedRow[] = [];

  add(line: number, reason: string): void {
    this.count += 1;
    if (this.listed.length < MalformedRows.MAX_LISTED) this.listed.push({ line, reason });
  }

  /** One line for a log: "2 malformed rows skipped (line 3: bad JSON; line 7: missing text)". */
  summary(): string {
    if (this.count === 0) return "0 malformed rows";
    const shown = this.listed.slice(0, 10).map((r) => `line ${r.line}: ${r.reason}`).join("; ");
    const more = this.count > 10 ? `; … ${this.count - 10} more` : "";
    return `${this.count} malformed row${this.count === 1 ? "" : "s"} skipped (${shown}${more})`;
  }
}
