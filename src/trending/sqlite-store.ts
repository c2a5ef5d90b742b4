import Database from "better-sqlite3";
import { HashtagRecError, invalidArgument } from "../core/errors.js";
import { HOUR_MS, logAddExp2, useLogWeight } from "./decay.js";
import {
  RECENT_MAX_TWEETS,
  RECENT_RETENTION_HOURS,
  SERIES_RETENTION_HOURS,
  checkBatch,
  checkHalfLife,
  distinctUses,
  type IngestOptions,
  type IngestResult,
  type IngestTweet,
  type RecentTweetsPage,
  type SharedValue,
  type TrendEntry,
  type TrendingStore,
} from "./store.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hashtags (
  key TEXT PRIMARY KEY, display TEXT NOT NULL, count INTEGER NOT NULL,
  log_weight REAL NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS hashtags_by_weight ON hashtags (log_weight DESC);
CREATE TABLE IF NOT EXISTS displays (key TEXT, display TEXT, count INTEGER NOT NULL, PRIMARY KEY (key, display)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS buckets (key TEXT, hour INTEGER, count INTEGER NOT NULL, PRIMARY KEY (key, hour)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS buckets_by_hour ON buckets (hour);
CREATE TABLE IF NOT EXISTS tweets (id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS recent (seq INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, query TEXT NOT NULL, keys TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS recent_by_time ON recent (time);
CREATE TABLE IF NOT EXISTS shared (name TEXT PRIMARY KEY, version INTEGER NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
`;
const SCHEMA_VERSION = 1;

interface HashtagRow {
  key: string;
  display: string;
  count: number;
  log_weight: number;
  first_seen: number;
  last_seen: number;
}

const toEntry = (row: HashtagRow): TrendEntry => ({
  key: row.key,
  display: row.display,
  count: row.count,
  logWeight: row.log_weight,
  firstSeen: row.first_seen,
  lastSeen: row.last_seen,
});

export interface SqliteStoreOptions {
  /** Half-life of the decayed counts, in hours. A store file keeps the one it was created with. */
  halfLifeHours: number;
}

/**
 * The embedded trending store: one SQLite file in WAL mode with `synchronous = FULL`, so an
 * ingest that has returned survives `kill -9` (and a power cut). A batch is one transaction.
 * `":memory:"` gives a throw-away store (the evaluation harness uses one).
 *
 * @example
 * ```ts
 * const store = SqliteTrendingStore.open("trends.db", { halfLifeHours: 1 });
 * await store.ingest([{ id: "1", time: Date.now(), hashtags: [{ key: "anzacday", display: "AnzacDay" }] }]);
 * await store.top(1); // [{ key: "anzacday", display: "AnzacDay", count: 1, … }]
 * ```
 */
export class SqliteTrendingStore implements TrendingStore {
  readonly kind = "sqlite";
  private readonly halfLifeMs: number;
  private readonly statements;
  private readonly applyBatch: (tweets: readonly IngestTweet[], skipDuplicates: boolean) => IngestResult;
  private ingestsSincePrune = 0;

  private constructor(
    private readonly db: Database.Database,
    readonly halfLifeHours: number,
  ) {
    this.halfLifeMs = halfLifeHours * HOUR_MS;
    const prepare = (sql: string) => db.prepare(sql);
    this.statements = {
      getHashtag: prepare("SELECT * FROM hashtags WHERE key = ?"),
      insertHashtag: prepare("INSERT INTO hashtags (key, display, count, log_weight, first_seen, last_seen) VALUES (?, ?, 1, ?, ?, ?)"),
      updateHashtag: prepare("UPDATE hashtags SET count = count + 1, log_weight = ?, first_seen = ?, last_seen = ? WHERE key = ?"),
      bumpDisplay: prepare(
        "INSERT INTO displays (key, display, count) VALUES (?, ?, 1) ON CONFLICT (key, display) DO UPDATE SET count = count + 1 RETURNING count",
      ),
      displayCount: prepare("SELECT count FROM displays WHERE key = ? AND display = ?"),
      setDisplay: prepare("UPDATE hashtags SET display = ? WHERE key = ?"),
      bumpBucket: prepare("INSERT INTO buckets (key, hour, count) VALUES (?, ?, 1) ON CONFLICT (key, hour) DO UPDATE SET count = count + 1"),
      pruneBuckets: prepare("DELETE FROM buckets WHERE hour < ?"),
      hasTweet: prepare("SELECT 1 FROM tweets WHERE id = ?"),
      addTweet: prepare("INSERT INTO tweets (id) VALUES (?)"),
      addRecent: prepare("INSERT INTO recent (time, query, keys) VALUES (?, ?, ?)"),
      recentAfter: prepare("SELECT seq, time, query, keys FROM recent WHERE seq > ? ORDER BY seq LIMIT ?"),
      pruneRecent: prepare("DELETE FROM recent WHERE time < ? OR seq <= (SELECT MAX(seq) FROM recent) - ?"),
      top: prepare("SELECT * FROM hashtags ORDER BY log_weight DESC, key LIMIT ?"),
      prefix: prepare("SELECT * FROM hashtags WHERE key >= ? AND key < ? ORDER BY log_weight DESC, key LIMIT ?"),
      series: prepare("SELECT hour, count FROM buckets WHERE key = ? AND hour > ? AND hour <= ?"),
      getMeta: prepare("SELECT value FROM meta WHERE name = ?"),
      setMeta: prepare("INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value"),
      getShared: prepare("SELECT version, value FROM shared WHERE name = ?"),
      addShared: prepare("INSERT INTO shared (name, version, value) VALUES (?, 1, ?) ON CONFLICT (name) DO NOTHING"),
      replaceShared: prepare("UPDATE shared SET version = version + 1, value = ? WHERE name = ? AND version = ?"),
    };
    this.applyBatch = db.transaction((tweets: readonly IngestTweet[], skipDuplicates: boolean) => this.apply(tweets, skipDuplicates));
  }

  static open(path: string, options: SqliteStoreOptions): SqliteTrendingStore {
    const halfLifeHours = checkHalfLife(options.halfLifeHours);
    let db: Database.Database;
    try {
      db = new Database(path);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      db.pragma("busy_timeout = 5000");
      db.exec(SCHEMA);
    } catch (error) {
      throw new HashtagRecError("STORE_UNAVAILABLE", `cannot open the SQLite trending store '${path}': ${(error as Error).message}`, { cause: error });
    }
    const meta = (name: string) => (db.prepare("SELECT value FROM meta WHERE name = ?").get(name) as { value: unknown } | undefined)?.value;
    const stored = meta("half_life_hours");
    if (stored === undefined) {
      const set = db.prepare("INSERT INTO meta (name, value) VALUES (?, ?)");
      set.run("half_life_hours", halfLifeHours);
      set.run("schema_version", SCHEMA_VERSION);
    } else if (stored !== halfLifeHours) {
      db.close();
      throw invalidArgument(
        `the trending store '${path}' was created with a half-life of ${stored} h, not ${halfLifeHours} h; ` +
          `use --half-life ${stored} or a new store file`,
      );
    }
    return new SqliteTrendingStore(db, halfLifeHours);
  }

  async ingest(tweets: readonly IngestTweet[], options: IngestOptions = {}): Promise<IngestResult> {
    this.assertOpen();
    checkBatch(tweets);
    const result = this.applyBatch(tweets, options.skipDuplicates ?? false);
    this.ingestsSincePrune += tweets.length;
    if (this.ingestsSincePrune >= 10_000) this.prune();
    return result;
  }

  private apply(batch: readonly IngestTweet[], skipDuplicates: boolean): IngestResult {
    const s = this.statements;
    const duplicates = batch.filter((t) => t.id !== undefined && s.hasTweet.get(t.id) !== undefined).map((t) => t.id!);
    if (duplicates.length > 0 && !skipDuplicates) {
      const shown = duplicates.slice(0, 5).join(", ");
      throw new HashtagRecError(
        "DUPLICATE_TWEET",
        `${duplicates.length} tweet(s) were ingested before (ids: ${shown}${duplicates.length > 5 ? ", …" : ""}); nothing in this batch was applied`,
      );
    }
    const seen = new Set(duplicates);
    const tweets = seen.size === 0 ? batch : batch.filter((t) => t.id === undefined || !seen.has(t.id));
    let total = Number((s.getMeta.get("total_log_weight") as { value: number } | undefined)?.value ?? -Infinity);
    let latest = (s.getMeta.get("latest_time") as { value: number } | undefined)?.value ?? -Infinity;
    let useCount = 0;
    for (const tweet of tweets) {
      if (tweet.id !== undefined) s.addTweet.run(tweet.id);
      latest = Math.max(latest, tweet.time);
      const weight = useLogWeight(tweet.time, this.halfLifeMs);
      const hour = Math.floor(tweet.time / HOUR_MS);
      const uses = distinctUses(tweet);
      if (tweet.query && uses.length > 0) s.addRecent.run(tweet.time, tweet.query, JSON.stringify(uses.map((u) => u.key)));
      for (const use of uses) {
        useCount++;
        total = logAddExp2(total, weight);
        const row = s.getHashtag.get(use.key) as HashtagRow | undefined;
        if (row === undefined) {
          s.insertHashtag.run(use.key, use.display, weight, tweet.time, tweet.time);
        } else {
          s.updateHashtag.run(logAddExp2(row.log_weight, weight), Math.min(row.first_seen, tweet.time), Math.max(row.last_seen, tweet.time), use.key);
        }
        const { count } = s.bumpDisplay.get(use.key, use.display) as { count: number };
        if (row !== undefined && row.display !== use.display) {
          const current = (s.displayCount.get(use.key, row.display) as { count: number } | undefined)?.count ?? 0;
          if (count > current) s.setDisplay.run(use.display, use.key);
        }
        s.bumpBucket.run(use.key, hour);
      }
    }
    s.setMeta.run("total_log_weight", total === -Infinity ? null : total);
    if (latest > -Infinity) s.setMeta.run("latest_time", latest);
    return { tweets: tweets.length, hashtagUses: useCount, duplicates: duplicates.length };
  }

  private prune(): void {
    this.ingestsSincePrune = 0;
    const latest = (this.statements.getMeta.get("latest_time") as { value: number } | undefined)?.value;
    if (latest !== undefined) {
      this.statements.pruneBuckets.run(Math.floor(latest / HOUR_MS) - SERIES_RETENTION_HOURS);
      this.statements.pruneRecent.run(latest - RECENT_RETENTION_HOURS * HOUR_MS, RECENT_MAX_TWEETS);
    }
  }

  async top(k: number): Promise<TrendEntry[]> {
    this.assertOpen();
    return (this.statements.top.all(k) as HashtagRow[]).map(toEntry);
  }

  async withPrefix(prefix: string, k: number): Promise<TrendEntry[]> {
    this.assertOpen();
    if (prefix.length === 0) return this.top(k);
    return (this.statements.prefix.all(prefix, `${prefix}\u{10FFFF}`, k) as HashtagRow[]).map(toEntry);
  }

  async lookup(keys: readonly string[]): Promise<Map<string, TrendEntry>> {
    this.assertOpen();
    const found = new Map<string, TrendEntry>();
    for (const key of keys) {
      const row = this.statements.getHashtag.get(key) as HashtagRow | undefined;
      if (row !== undefined) found.set(key, toEntry(row));
    }
    return found;
  }

  async totalLogWeight(): Promise<number> {
    this.assertOpen();
    const value = (this.statements.getMeta.get("total_log_weight") as { value: number | null } | undefined)?.value;
    return value === undefined || value === null ? -Infinity : value;
  }

  async series(keys: readonly string[], now: number, hours: number): Promise<Map<string, number[]>> {
    this.assertOpen();
    const last = Math.floor(now / HOUR_MS);
    const result = new Map<string, number[]>();
    for (const key of keys) {
      const counts = new Array<number>(hours).fill(0);
      for (const { hour, count } of this.statements.series.all(key, last - hours, last) as { hour: number; count: number }[]) {
        counts[hour - (last - hours + 1)] = count;
      }
      result.set(key, counts);
    }
    return result;
  }

  async recentTweets(cursor: string | undefined, limit: number): Promise<RecentTweetsPage> {
    this.assertOpen();
    const after = cursor === undefined ? 0 : Number(cursor);
    const rows = this.statements.recentAfter.all(Number.isFinite(after) ? after : 0, limit) as { seq: number; time: number; query: string; keys: string }[];
    return {
      tweets: rows.map((row) => ({ time: row.time, query: row.query, keys: JSON.parse(row.keys) as string[] })),
      cursor: String(rows.length > 0 ? rows[rows.length - 1]!.seq : after),
    };
  }

  async latestTime(): Promise<number | undefined> {
    this.assertOpen();
    return (this.statements.getMeta.get("latest_time") as { value: number } | undefined)?.value;
  }

  async readShared(name: string): Promise<SharedValue | undefined> {
    this.assertOpen();
    return this.statements.getShared.get(name) as SharedValue | undefined;
  }

  async writeShared(name: string, value: string, version: number): Promise<boolean> {
    this.assertOpen();
    const { changes } = version === 0 ? this.statements.addShared.run(name, value) : this.statements.replaceShared.run(value, name, version);
    return changes === 1;
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  private assertOpen(): void {
    if (!this.db.open) throw new HashtagRecError("STORE_UNAVAILABLE", "the SQLite trending store is closed");
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
