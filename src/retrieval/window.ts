import { HOUR_MS } from "../trending/decay.js";

/**
 * The hourly segments of a window of recent tweets, as the neighbour and centroid indexes keep
 * them: `windowHours` whole hours ending with the newest hour seen; a segment whose hour falls
 * behind that leaves, and the index is told (`onLeave`) to take its tweets out.
 */
export class HourlyWindow<S extends { hour: number }> {
  /** Oldest first. */
  readonly segments: S[] = [];

  constructor(
    private readonly windowHours: number,
    private readonly make: (hour: number) => S,
    private readonly onLeave: (leaving: readonly S[]) => void,
  ) {}

  /** Whether a tweet of this hour is already out of the window (older than the newest hour allows). */
  isOut(hour: number): boolean {
    const newest = this.newestHour;
    return newest !== undefined && hour <= newest - this.windowHours;
  }

  /** The segment of `hour`, made if need be; a new newest hour sends the segments it leaves behind to `onLeave`. */
  segmentFor(hour: number): S {
    let segment = this.segments.find((s) => s.hour === hour);
    if (segment) return segment;
    segment = this.make(hour);
    this.segments.push(segment);
    this.segments.sort((a, b) => a.hour - b.hour);
    const newest = this.newestHour!;
    const leaving: S[] = [];
    while (this.segments.length > 0 && this.segments[0]!.hour <= newest - this.windowHours) leaving.push(this.segments.shift()!);
    if (leaving.length > 0) this.onLeave(leaving);
    return segment;
  }

  /**
   * The tweets that the window, moved on to the newest hour among them, still holds, in their
   * order. An index given a long backlog at start-up adds these only, instead of adding the rest
   * to take them out again.
   */
  fresh<T extends { time: number }>(tweets: readonly T[]): T[] {
    let newest = this.newestHour ?? -Infinity;
    for (const tweet of tweets) newest = Math.max(newest, Math.floor(tweet.time / HOUR_MS));
    return tweets.filter((tweet) => Math.floor(tweet.time / HOUR_MS) > newest - this.windowHours);
  }

  private get newestHour(): number | undefined {
    return this.segments[this.segments.length - 1]?.hour;
  }
}
