/**
 * A progress bar on stderr. It draws only when stderr is a terminal (or when forced), at most
 * ten times a second, so piping output to a file stays clean.
 */
export interface ProgressOptions {
  label: string;
  total?: number | undefined;
  stream?: NodeJS.WriteStream;
  enabled?: boolean;
}

export class ProgressBar {
  private readonly label: string;
  private readonly total: number | undefined;
  private readonly stream: NodeJS.WriteStream;
  private readonly enabled: boolean;
  private readonly startedAt = Date.now();
  private lastDrawAt = 0;
  private current = 0;
  private suffix = "";

  constructor(options: ProgressOptions) {
    this.label = options.label;
    this.total = options.total;
    this.stream = options.stream ?? process.stderr;
    this.enabled = options.enabled ?? Boolean(this.stream.isTTY);
  }

  /** Moves the bar to `current` (items done); `suffix` is free text such as a loss. */
  update(current: number, suffix = ""): void {
    this.current = current;
    this.suffix = suffix;
    const now = Date.now();
    if (now - this.lastDrawAt >= 100) {
      this.lastDrawAt = now;
      this.draw();
    }
  }

  tick(by = 1): void {
    this.update(this.current + by, this.suffix);
  }

  /** Draws the final state and ends the line. */
  finish(suffix?: string): void {
    if (suffix !== undefined) this.suffix = suffix;
    this.draw();
    if (this.enabled) this.stream.write("\n");
  }

  private draw(): void {
    if (!this.enabled) return;
    const seconds = (Date.now() - this.startedAt) / 1000;
    const rate = seconds > 0 ? this.current / seconds : 0;
    let bar = "";
    if (this.total !== undefined && this.total > 0) {
      const share = Math.min(1, this.current / this.total);
      const width = 24;
      const filled = Math.round(share * width);
      bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}% `;
    }
    const count = this.total !== undefined ? `${this.current}/${this.total}` : `${this.current}`;
    const line = `${this.label} ${bar}${count} ${rate.toFixed(0)}/s ${seconds.toFixed(0)}s ${this.suffix}`;
    this.stream.write(`\r${line.slice(0, (this.stream.columns ?? 120) - 1)}\x1b[K`);
  }
}
