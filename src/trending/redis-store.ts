import { Redis } from "ioredis";
import { HashtagRecError, invalidArgument } from "../core/errors.js";
import { HOUR_MS, useLogWeight } from "./decay.js";
import {
  RECENT_MAX_TWEETS,
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

/**
 * Keys, all under the prefix:
 * - `meta`: hash of half_life_hours, total_log_weight, latest_time;
 * - `weights`: sorted set of hashtag key → log-weight (for `top`);
 * - `names`: sorted set of hashtag keys, all scored 0 (for prefix completion by lex range);
 * - `tag:<key>`: hash of display, count, first_seen, last_seen;
 * - `displays:<key>`: hash of display casing → uses;
 * - `hour:<hour>`: hash of hashtag key → uses in that hour since the epoch;
 * - `hours`: sorted set of the hours that have a `hour:<hour>` hash (to prune old ones);
 * - `tweets`: set of the ingested tweet ids;
 * - `shared:<name>`: hash of version and value (`readShared`, `writeShared`).
 *
 * Numbers travel as strings written with `%.17g` (Lua's `tostring` keeps only 14 digits, too few
 * for log-weights near 470,000). Scripts build per-hashtag key names from the prefix, so the store
 * suits one Redis server (or a replicated one), not Redis Cluster.
 */
const LUA_COMMON = `
local prefix = ARGV[1]
local NEG = -math.huge
local function fmt(x) return string.format('%.17g', x) end
`;

/** ARGV: prefix, half-life (hours), the batch as JSON, "1" to skip seen ids instead of failing;  `[{i?, t, w, h, u: [[key, display], …]}]`. */
const INGEST_LUA = `${LUA_COMMON}
local meta, weights, tweetIds = prefix .. 'meta', prefix .. 'weights', prefix .. 'tweets'
local LN2 = math.log(2)
local function logAddExp2(a, b)
  if a == NEG then return b end
  if b == NEG then return a end
  return math.max(a, b) + math.log(1 + 2 ^ -math.abs(a - b)) / LN2
end

-- The half-life is asserted here too: a Redis restarted without persistence has lost its meta.
redis.call('HSETNX', meta, 'half_life_hours', ARGV[2])
local halfLife = redis.call('HGET', meta, 'half_life_hours')
if tonumber(halfLife) ~= tonumber(ARGV[2]) then return {'HALF_LIFE', halfLife} end

local tweets = cjson.decode(ARGV[3])
local duplicates = {}
for _, tweet in ipairs(tweets) do
  if tweet.i and redis.call('SISMEMBER', tweetIds, tweet.i) == 1 then duplicates[#duplicates + 1] = tweet.i end
end
if #duplicates > 0 and ARGV[4] ~= '1' then return {'DUPLICATE', duplicates} end
local skip = {}
for _, id in ipairs(duplicates) do skip[id] = true end

local total = tonumber(redis.call('HGET', meta, 'total_log_weight')) or NEG
local latest = tonumber(redis.call('HGET', meta, 'latest_time')) or NEG
local uses = 0
for _, tweet in ipairs(tweets) do
  if tweet.i and skip[tweet.i] then tweet.u = {} else
  if tweet.i then redis.call('SADD', tweetIds, tweet.i) end
  if tweet.q and #tweet.u > 0 then
    local keys = {}
    for _, use in ipairs(tweet.u) do keys[#keys + 1] = use[1] end
    redis.call('XADD', prefix .. 'recent', 'MAXLEN', '~', ${RECENT_MAX_TWEETS}, '*', 't', fmt(tweet.t), 'q', tweet.q, 'k', cjson.encode(keys))
  end
  if tweet.t > latest then latest = tweet.t end
  local time, hourKey = fmt(tweet.t), prefix .. 'hour:' .. fmt(tweet.h)
  for _, use in ipairs(tweet.u) do
    local key, display = use[1], use[2]
    local tag, displays = prefix .. 'tag:' .. key, prefix .. 'displays:' .. key
    uses = uses + 1
    total = logAddExp2(total, tweet.w)
    local row = redis.call('HMGET', tag, 'display', 'first_seen', 'last_seen')
    if not row[1] then
      redis.call('HSET', tag, 'display', display, 'count', 1, 'first_seen', time, 'last_seen', time)
      redis.call('ZADD', weights, fmt(tweet.w), key)
      redis.call('ZADD', prefix .. 'names', 0, key)
    else
      redis.call('HINCRBY', tag, 'count', 1)
      redis.call('HSET', tag, 'first_seen', fmt(math.min(tonumber(row[2]), tweet.t)), 'last_seen', fmt(math.max(tonumber(row[3]), tweet.t)))
      redis.call('ZADD', weights, fmt(logAddExp2(tonumber(redis.call('ZSCORE', weights, key)), tweet.w)), key)
    end
    -- The commonest casing wins; a tie keeps the one there was.
    local count = redis.call('HINCRBY', displays, display, 1)
    if row[1] and row[1] ~= display and count > (tonumber(redis.call('HGET', displays, row[1])) or 0) then
      redis.call('HSET', tag, 'display', display)
    end
    redis.call('HINCRBY', hourKey, key, 1)
    redis.call('ZADD', prefix .. 'hours', fmt(tweet.h), fmt(tweet.h))
  end
  end
end
if total > NEG then redis.call('HSET', meta, 'total_log_weight', fmt(total)) end
if latest > NEG then
  redis.call('HSET', meta, 'latest_time', fmt(latest))
  local before = '(' .. fmt(math.floor(latest / ${HOUR_MS}) - ${SERIES_RETENTION_HOURS})
  for _, hour in ipairs(redis.call('ZRANGEBYSCORE', prefix .. 'hours', '-inf', before)) do
    redis.call('DEL', prefix .. 'hour:' .. hour)
  end
  redis.call('ZREMRANGEBYSCORE', prefix .. 'hours', '-inf', before)
end
return {'OK', uses, #duplicates}
`;

/** Reads hashtags as `[key, display, count, first_seen, last_seen, log_weight]` string arrays. */
const LUA_ENTRY = `${LUA_COMMON}
local weights = prefix .. 'weights'
local function entry(key, weight)
  local row = redis.call('HMGET', prefix .. 'tag:' .. key, 'display', 'count', 'first_seen', 'last_seen')
  if not row[1] then return false end
  return {key, row[1], row[2], row[3], row[4], weight or redis.call('ZSCORE', weights, key)}
end
-- Whether key a comes before key b byte by byte, as SQLite and ZRANGEBYLEX order them (Lua's < follows
-- the C library's collation, which a Redis started under another locale than C may set).
local function bytesBefore(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
-- The entries of the k first {key, weight, weight as a string}: the heaviest first, ties by key.
local function rank(scored, k)
  table.sort(scored, function(a, b)
    if a[2] ~= b[2] then return a[2] > b[2] end
    return bytesBefore(a[1], b[1])
  end)
  local entries = {}
  for i = 1, math.min(k, #scored) do entries[i] = entry(scored[i][1], scored[i][3]) end
  return entries
end
`;

/** ARGV: prefix, k. The k heaviest hashtags, ties by key (ZREVRANGE alone orders ties backwards). */
const TOP_LUA = `${LUA_ENTRY}
local k = tonumber(ARGV[2])
local heaviest = redis.call('ZREVRANGE', weights, 0, k - 1, 'WITHSCORES')
if #heaviest == 0 then return {} end
local last, scored = heaviest[#heaviest], {}
for i = 1, #heaviest, 2 do
  local weight = tonumber(heaviest[i + 1])
  if weight ~= tonumber(last) then scored[#scored + 1] = {heaviest[i], weight, heaviest[i + 1]} end
end
-- Keys tied with the k-th may lie beyond it: take the first of them by key.
for _, key in ipairs(redis.call('ZRANGEBYSCORE', weights, last, last, 'LIMIT', 0, k - #scored)) do
  scored[#scored + 1] = {key, tonumber(last), last}
end
return rank(scored, k)
`;

/**
 * ARGV: prefix, key prefix, k, lex limit, walk limit. The k keys with the prefix that weigh most,
 * ties by key, as the SQLite store orders them. When at most `lex limit` keys have the prefix they
 * are all read and ranked; when more do, the hashtags are read from the heaviest down, keeping those
 * with the prefix, until k are kept and the next weighs less (exact), or `walk limit` are read: then
 * the first `lex limit` keys with the prefix are ranked with those kept.
 */
const PREFIX_LUA = `${LUA_ENTRY}
-- '\\244\\143\\191\\191' is U+10FFFF in UTF-8: keys from the prefix up to, not including, prefix .. U+10FFFF.
local names, keyPrefix = prefix .. 'names', ARGV[2]
local low, high = '[' .. keyPrefix, '(' .. keyPrefix .. '\\244\\143\\191\\191'
local k, lexLimit, walkLimit = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local scored, seen = {}, {}
local function keep(key, weight)
  if seen[key] then return end
  seen[key] = true
  scored[#scored + 1] = {key, tonumber(weight), weight}
end
local function keepByLex()
  for _, key in ipairs(redis.call('ZRANGEBYLEX', names, low, high, 'LIMIT', 0, lexLimit)) do
    keep(key, redis.call('ZSCORE', weights, key))
  end
end
if redis.call('ZLEXCOUNT', names, low, high) <= lexLimit then
  keepByLex()
else
  local PAGE, read, exact = 500, 0, false
  while not exact and read < walkLimit do
    local ranked = redis.call('ZREVRANGE', weights, read, math.min(read + PAGE, walkLimit) - 1, 'WITHSCORES')
    if #ranked == 0 then exact = true break end
    for i = 1, #ranked, 2 do
      if #scored >= k and tonumber(ranked[i + 1]) < scored[k][2] then exact = true break end
      if string.sub(ranked[i], 1, #keyPrefix) == keyPrefix then keep(ranked[i], ranked[i + 1]) end
    end
    read = read + #ranked / 2
  end
  if not exact then keepByLex() end
end
return rank(scored, k)
`;

/** ARGV: prefix, keys… (a `false` per missing key). */
const LOOKUP_LUA = `${LUA_ENTRY}
local entries = {}
for i = 2, #ARGV do entries[i - 1] = entry(ARGV[i]) end
return entries
`;

/** ARGV: prefix, first hour, last hour, keys… Returns `[hour, [count or false per key]]` for the hours that have counts. */
const SERIES_LUA = `${LUA_COMMON}
local series = {}
for _, hour in ipairs(redis.call('ZRANGEBYSCORE', prefix .. 'hours', ARGV[2], ARGV[3])) do
  local counts = {}
  for i = 4, #ARGV do counts[i - 3] = redis.call('HGET', prefix .. 'hour:' .. hour, ARGV[i]) end
  series[#series + 1] = {hour, counts}
end
return series
`;

/** ARGV: prefix, name, value, the version expected. Returns 1 when written, 0 when the version there is another. */
const WRITE_SHARED_LUA = `
local key = ARGV[1] .. 'shared:' .. ARGV[2]
local version = tonumber(redis.call('HGET', key, 'version') or '0')
if version ~= tonumber(ARGV[4]) then return 0 end
redis.call('HSET', key, 'version', version + 1, 'value', ARGV[3])
return 1
`;

const SCRIPTS = { trendIngest: INGEST_LUA, trendTop: TOP_LUA, trendPrefix: PREFIX_LUA, trendLookup: LOOKUP_LUA, trendSeries: SERIES_LUA, writeShared: WRITE_SHARED_LUA };
type ScriptName = keyof typeof SCRIPTS;
type EntryReply = [string, string, string, string, string, string];

/** How many keys prefix completion reads by default (see `PREFIX_LUA`). */
export const PREFIX_SCAN: PrefixScan = { lex: 2_000, walk: 20_000 };

export interface PrefixScan {
  /** Rank every key with the prefix when no more than this many have it. */
  lex: number;
  /** Otherwise read at most this many hashtags, the most trending first. */
  walk: number;
}

const toEntry = ([key, display, count, firstSeen, lastSeen, logWeight]: EntryReply): TrendEntry => ({
  key,
  display,
  count: Number(count),
  logWeight: Number(logWeight),
  firstSeen: Number(firstSeen),
  lastSeen: Number(lastSeen),
});

const entries = (replies: unknown): TrendEntry[] =>
  (replies as (EntryReply | null)[]).filter((reply): reply is EntryReply => reply !== null).map(toEntry);

/** A Redis URL fit for messages: without the password. */
function redact(url: string): string {
  return url.replace(/^(\w+:\/\/)[^@/]*@/, "$1");
}

export interface RedisStoreOptions {
  /** Half-life of the decayed counts, in hours. A store keeps the one it was created with. */
  halfLifeHours: number;
  /** Prefix of every key the store uses, so several stores can share one Redis. Default `"hashtag-rec:"`. */
  keyPrefix?: string;
  /** How long `open` waits for the first connection, in milliseconds. Default 5,000. */
  connectTimeoutMs?: number;
  /** How many keys prefix completion reads at most. Default `PREFIX_SCAN`. */
  prefixScan?: PrefixScan;
}

/** `"ready"` when the connection to Redis is (back) up, `"down"` when it is lost. */
export type RedisState = "ready" | "down";

/**
 * The shared trending store: the same data as the SQLite store, kept in Redis so that several
 * servers can ingest and answer together. A batch is one Lua script, so it is applied whole or
 * not at all, and other clients never see half of it.
 *
 * While Redis is unreachable every method rejects at once with `STORE_UNAVAILABLE` (commands are
 * not queued; a command unanswered for 10 s fails too) and the client reconnects in the background,
 * at most a second apart; `onStateChange` tells when it goes down and comes back. An ingest that
 * failed that way may or may not have been applied: send it again with ids, and `DUPLICATE_TWEET`
 * tells it was. What survives a Redis restart is up to Redis's own persistence (AOF or RDB).
 *
 * @example
 * ```ts
 * const store = await RedisTrendingStore.open("redis://localhost:6379", { halfLifeHours: 1 });
 * store.onStateChange((state, reason) => console.warn(`Redis ${state}`, reason ?? ""));
 * await store.ingest([{ id: "1", time: Date.now(), hashtags: [{ key: "anzacday", display: "AnzacDay" }] }]);
 * await store.top(1); // [{ key: "anzacday", display: "AnzacDay", count: 1, … }]
 * await store.close();
 * ```
 */
export class RedisTrendingStore implements TrendingStore {
  readonly kind = "redis";
  private readonly halfLifeMs: number;
  private state: RedisState = "down";
  private lastError: string | undefined;
  private closing = false;
  private readonly listeners = new Set<(state: RedisState, reason?: string) => void>();

  private constructor(
    private readonly client: Redis,
    private readonly url: string,
    private readonly prefix: string,
    readonly halfLifeHours: number,
    private readonly prefixScan: PrefixScan,
  ) {
    this.halfLifeMs = halfLifeHours * HOUR_MS;
    for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(name, { lua, numberOfKeys: 0 });
    // An 'error' listener also keeps ioredis from reporting connection errors as unhandled.
    client.on("error", (error: Error) => {
      this.lastError = error.message;
    });
    client.on("ready", () => {
      this.lastError = undefined;
      this.setState("ready");
    });
    client.on("close", () => this.setState("down", this.lastError ?? "connection closed"));
  }

  /** Connects (waiting for the first connection) and checks the half-life against the stored one. */
  static async open(url: string, options: RedisStoreOptions): Promise<RedisTrendingStore> {
    const halfLifeHours = checkHalfLife(options.halfLifeHours);
    const prefix = options.keyPrefix ?? "hashtag-rec:";
    const timeoutMs = options.connectTimeoutMs ?? 5_000;
    let client: Redis;
    try {
      client = new Redis(url, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        connectTimeout: Math.min(timeoutMs, 2_000),
        commandTimeout: 10_000,
        retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
      });
    } catch (error) {
      throw invalidArgument(`invalid Redis URL '${redact(url)}': ${(error as Error).message}`);
    }
    const store = new RedisTrendingStore(client, url, prefix, halfLifeHours, options.prefixScan ?? PREFIX_SCAN);
    try {
      await store.connect(timeoutMs);
      const meta = `${prefix}meta`;
      await store.run(() => client.hsetnx(meta, "half_life_hours", String(halfLifeHours)));
      const stored = await store.run(() => client.hget(meta, "half_life_hours"));
      if (Number(stored) !== halfLifeHours) throw store.halfLifeMismatch(stored);
    } catch (error) {
      store.closing = true;
      client.disconnect();
      throw error;
    }
    return store;
  }

  private async connect(timeoutMs: number): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.off("ready", onReady);
        reject(this.unavailable(new Error(`no connection within ${timeoutMs} ms`)));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.client.once("ready", onReady);
    });
    // `connect()` rejects on the first failure, but the client keeps retrying until the timeout.
    this.client.connect().catch(() => {});
    await ready;
  }

  /**
   * Calls `listener` whenever the connection goes down or comes back (not for `close()`).
   * Returns a function that removes the listener.
   */
  onStateChange(listener: (state: RedisState, reason?: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setState(state: RedisState, reason?: string): void {
    if (state === this.state) return;
    this.state = state;
    if (this.closing) return;
    for (const listener of this.listeners) listener(state, ...(reason === undefined ? [] : [reason]));
  }

  private unavailable(error: unknown): HashtagRecError {
    if (error instanceof HashtagRecError) return error;
    const message = (error as Error).message;
    // Without the offline queue, a command sent while disconnected fails with "Stream isn't writeable…".
    const disconnected = this.client.status !== "ready" || message.startsWith("Stream isn't writeable");
    const reason = disconnected ? (this.lastError ?? "not connected") : message;
    return new HashtagRecError("STORE_UNAVAILABLE", `Redis at ${redact(this.url)} is unavailable: ${reason}`, { cause: error });
  }

  /** Runs one command, turning any failure into `STORE_UNAVAILABLE`. */
  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  private script(name: ScriptName, ...args: string[]): Promise<unknown> {
    const scripts = this.client as unknown as Record<ScriptName, (...args: string[]) => Promise<unknown>>;
    return this.run(() => scripts[name].apply(this.client, [this.prefix, ...args]));
  }

  private halfLifeMismatch(stored: string | null): HashtagRecError {
    return invalidArgument(
      `the Redis trending store at ${redact(this.url)} (key prefix '${this.prefix}') was created with a half-life of ${stored} h, ` +
        `not ${this.halfLifeHours} h; use --half-life ${stored} or a new store (another key prefix)`,
    );
  }

  async ingest(tweets: readonly IngestTweet[], options: IngestOptions = {}): Promise<IngestResult> {
    checkBatch(tweets);
    const batch = tweets.map((tweet) => ({
      ...(tweet.id === undefined ? {} : { i: tweet.id }),
      t: tweet.time,
      w: useLogWeight(tweet.time, this.halfLifeMs),
      h: Math.floor(tweet.time / HOUR_MS),
      u: distinctUses(tweet).map((use) => [use.key, use.display]),
      ...(tweet.query ? { q: tweet.query } : {}),
    }));
    const [status, detail, duplicates] = (await this.script(
      "trendIngest",
      String(this.halfLifeHours),
      JSON.stringify(batch),
      options.skipDuplicates ? "1" : "0",
    )) as [string, unknown, number?];
    if (status === "HALF_LIFE") throw this.halfLifeMismatch(detail as string);
    if (status === "DUPLICATE") {
      const duplicates = detail as string[];
      const shown = duplicates.slice(0, 5).join(", ");
      throw new HashtagRecError(
        "DUPLICATE_TWEET",
        `${duplicates.length} tweet(s) were ingested before (ids: ${shown}${duplicates.length > 5 ? ", …" : ""}); nothing in this batch was applied`,
      );
    }
    return { tweets: tweets.length - (duplicates ?? 0), hashtagUses: detail as number, duplicates: duplicates ?? 0 };
  }

  async top(k: number): Promise<TrendEntry[]> {
    if (!(k >= 1)) return [];
    return entries(await this.script("trendTop", String(Math.floor(k))));
  }

  async withPrefix(prefix: string, k: number): Promise<TrendEntry[]> {
    if (prefix.length === 0) return this.top(k);
    if (!(k >= 1)) return [];
    return entries(await this.script("trendPrefix", prefix, String(Math.floor(k)), String(this.prefixScan.lex), String(this.prefixScan.walk)));
  }

  async lookup(keys: readonly string[]): Promise<Map<string, TrendEntry>> {
    const found = new Map<string, TrendEntry>();
    if (keys.length === 0) return found;
    for (const reply of (await this.script("trendLookup", ...keys)) as (EntryReply | null)[]) {
      if (reply !== null) found.set(reply[0], toEntry(reply));
    }
    return found;
  }

  async totalLogWeight(): Promise<number> {
    const value = await this.run(() => this.client.hget(`${this.prefix}meta`, "total_log_weight"));
    return value === null ? -Infinity : Number(value);
  }

  async series(keys: readonly string[], now: number, hours: number): Promise<Map<string, number[]>> {
    const last = Math.floor(now / HOUR_MS);
    const first = last - hours + 1;
    const result = new Map<string, number[]>();
    for (const key of keys) result.set(key, new Array<number>(hours).fill(0));
    if (keys.length === 0 || hours <= 0) return result;
    const replies = (await this.script("trendSeries", String(first), String(last), ...keys)) as [string, (string | null)[]][];
    for (const [hour, counts] of replies) {
      keys.forEach((key, i) => {
        const count = counts[i];
        if (count !== null && count !== undefined) result.get(key)![Number(hour) - first] = Number(count);
      });
    }
    return result;
  }

  async recentTweets(cursor: string | undefined, limit: number): Promise<RecentTweetsPage> {
    const start = cursor === undefined ? "-" : `(${cursor}`;
    const entries = (await this.run(() => this.client.xrange(`${this.prefix}recent`, start, "+", "COUNT", limit))) as [string, string[]][];
    const tweets = entries.map(([, fields]) => {
      const value = (name: string) => fields[fields.indexOf(name) + 1]!;
      return { time: Number(value("t")), query: value("q"), keys: JSON.parse(value("k")) as string[] };
    });
    return { tweets, cursor: entries.length > 0 ? entries[entries.length - 1]![0] : (cursor ?? "0-0") };
  }

  async latestTime(): Promise<number | undefined> {
    const value = await this.run(() => this.client.hget(`${this.prefix}meta`, "latest_time"));
    return value === null ? undefined : Number(value);
  }

  async readShared(name: string): Promise<SharedValue | undefined> {
    const [version, value] = await this.run(() => this.client.hmget(`${this.prefix}shared:${name}`, "version", "value"));
    return version == null || value == null ? undefined : { version: Number(version), value };
  }

  async writeShared(name: string, value: string, version: number): Promise<boolean> {
    return (await this.script("writeShared", name, value, String(version))) === 1;
  }

  async ping(): Promise<void> {
    await this.run(() => this.client.ping());
  }

  /** Closes the connection; resolves also when Redis is down. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.client.status === "end") return;
    if (this.client.status !== "ready") {
      this.client.disconnect();
      return;
    }
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
