import type { Redis, Result } from 'ioredis';
import type { ProwebConfig } from '../core/config.ts';
import { scrubText } from '../core/personal-data.ts';
import { DEFAULT_PREFIX } from '../core/redis-keys.ts';
import { replicated } from '../core/replica-ack.ts';
import { finishedWithin, type Period } from './period.ts';
import { decodeEntry, encodeEntry, ENTRY_FIELD, entryOfStream } from './entry-codec.ts';
import { ledgerEntrySchema, type DossierStatus, type LedgerEntry } from './ledger-entry.ts';
import type { GainFigures } from './report.ts';
import { MIGRATE_LUA, ROLL_UP_LUA, readRollups, rollupArgsOf, rollupKeys, type RollupKeys } from './rollups.ts';

/**
 * Records each dossier once, atomically, and adds it to the gain rollups. A dossier done is
 * done for as long as the ledger remembers it ({@link LedgerOptions.doneDays}); a rejection or
 * a final failure is recorded once per campaign, so that a corrected file can be resubmitted.
 *
 * KEYS: campaign dossiers, campaign counts, entries (stream), campaign work list, rollup of
 * the day, of the month, the months set, the rolledFrom marker, the day's and month's groups,
 * the day's and month's machines, the month's machine rows, the done generations'
 * index, the dossier's bucket of the current done generation, then every other done hash to look in.
 * ARGV: dossier id, status, entry (entry-codec.ts), done record, rollup field, dossiers, manual and
 * rework minutes in thousandths, robot ms, month, current generation (name), until when it is
 * kept (ms since the epoch), how long the campaign's keys are kept (ms), group field, pair
 * field, machine, machine rows field.
 */
const RECORD = `${ROLL_UP_LUA}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function keepFor(key, ms)
  local ttl = redis.call('PTTL', key)
  if ttl == -1 or ttl < ms then redis.call('PEXPIRE', key, ms) end
end
for i = 15, #KEYS do
  local done = redis.call('HGET', KEYS[i], ARGV[1])
  if done then return {0, done} end
end
if ARGV[2] == 'done' then
  redis.call('HSET', KEYS[15], ARGV[1], ARGV[4])
  local keepUntil = tonumber(ARGV[12])
  keepFor(KEYS[15], keepUntil - now)
  local known = redis.call('ZSCORE', KEYS[14], ARGV[11])
  if not known or tonumber(known) < keepUntil then redis.call('ZADD', KEYS[14], keepUntil, ARGV[11]) end
  redis.call('ZREMRANGEBYSCORE', KEYS[14], '-inf', now)
  -- The done record stands for it: the campaign keeps only its dossiers not done, a few.
  redis.call('HDEL', KEYS[1], ARGV[1])
elseif redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return {0, false}
end
local campaignMs = tonumber(ARGV[13])
if ARGV[2] ~= 'done' then keepFor(KEYS[1], campaignMs) end
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
local id = redis.call('XADD', KEYS[3], '*', '${ENTRY_FIELD}', ARGV[3])
if ARGV[2] == 'done' then
  redis.call('HDEL', KEYS[4], ARGV[1])
else
  redis.call('HSET', KEYS[4], ARGV[1], ARGV[3])
  keepFor(KEYS[4], campaignMs)
end
local n, manual, rework, robot = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
rollUp(KEYS[5], ARGV[5], n, manual, rework, robot)
rollUp(KEYS[6], ARGV[5], n, manual, rework, robot)
rollUp(KEYS[9], ARGV[14], n, manual, rework, robot)
rollUp(KEYS[10], ARGV[14], n, manual, rework, robot)
addMachine(KEYS[11], ARGV[15], ARGV[16])
addMachine(KEYS[12], ARGV[15], ARGV[16])
rollUp(KEYS[13], ARGV[17], n, manual, rework, robot)
redis.call('SADD', KEYS[7], ARGV[10])
redis.call('SET', KEYS[8], id, 'NX')
return {1, false}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    prowebLedgerRecord(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Result<[number, string | null], Context>;
    prowebLedgerMigrate(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Result<number, Context>;
  }
}

/** Loads the scripts as named commands (EVALSHA after the first call), once per connection. */
function withCommands(redis: Redis): Redis {
  if (typeof (redis as Partial<Redis>).prowebLedgerRecord !== 'function') {
    redis.defineCommand('prowebLedgerRecord', { lua: RECORD });
    redis.defineCommand('prowebLedgerMigrate', { lua: MIGRATE_LUA });
  }
  return redis;
}

/** How far a robot machine's clock may be ahead of Redis's. */
const CLOCK_SKEW_MARGIN_MS = 15 * 60_000;

/** What the ledger remembers of a dossier done. */
export interface DoneRecord {
  reference: string;
  campaignId: string;
  finishedAt: string;
}

/** Where to read one dossier's done record (see {@link Ledger.doneLookup}). */
export interface DoneLookup {
  /** The hashes that may hold it, in the order to look in. */
  keys: string[];
  /** Its field in each. */
  field: string;
  /** The record, from the first value found. */
  read(stored: string): DoneRecord;
}

/** How long the ledger remembers a dossier done, unless told. */
export const DEFAULT_DONE_DAYS = 35;

export interface LedgerOptions {
  /** Key namespace, shared with the queue's deployment. @defaultValue '{proweb}' */
  prefix?: string;
  /**
   * Days a dossier done is remembered after it was recorded (at most a week more: the records
   * are kept by the week), per scenario; also how long a campaign's dossiers and work list are
   * kept after its last dossier. Only writers use it: readers look wherever a record may be.
   * @defaultValue {@link DEFAULT_DONE_DAYS}
   */
  doneDays?: number | ((scenarioId: string) => number);
}

/** The ledger options of a configuration: its prefix and the retention of done records. */
export function ledgerOptionsOf(config: Pick<ProwebConfig, 'prefix' | 'retention'>): LedgerOptions {
  const { ledgerDoneDays, ledgerDoneDaysByScenario } = config.retention;
  return { prefix: config.prefix, doneDays: (scenarioId) => ledgerDoneDaysByScenario[scenarioId] ?? ledgerDoneDays };
}

export type CampaignCounts = Record<DossierStatus, number>;

const DAY_MS = 86_400_000;
/** Done records are kept by week of their recording, dropped whole by Redis. */
const WEEK_MS = 7 * DAY_MS;
/**
 * Hex digits of a dossier id that pick its bucket of a week: 4 096 small hashes a week and
 * scenario, so that each stays under Redis's `hash-max-listpack-entries` (128) up to some
 * 500 000 dossiers a week and scenario, kept as a compact listpack rather than a hash table
 * (about 40 % fewer bytes a record). Past that a bucket turns into a hash table: bigger, as right.
 */
const BUCKET_DIGITS = 3;
/** How long the list of live weeks is trusted: a week created meanwhile is this week or a neighbour, always looked in. */
const GENERATIONS_CACHE_MS = 60_000;

/** A done record as stored, `finishedAt (ms)\tcampaign\treference` (JSON before the rollups). */
function doneRecordOf(stored: string): DoneRecord {
  if (stored.startsWith('{')) return JSON.parse(stored) as DoneRecord;
  const [at = '0', campaignId = '', ...reference] = stored.split('\t');
  return { finishedAt: new Date(Number(at)).toISOString(), campaignId, reference: reference.join('\t') };
}

/** The gain ledger, kept in the same Redis as the queue. It does not own the connection. */
export class Ledger {
  private readonly prefix: string;
  private readonly doneDays: (scenarioId: string) => number;
  private readonly rollups: RollupKeys;
  private readonly redis: Redis;
  private readonly generations = new Map<string, { at: number; weeks: number[] }>();

  constructor(redis: Redis, options: LedgerOptions = {}) {
    this.redis = withCommands(redis);
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    const days = options.doneDays ?? DEFAULT_DONE_DAYS;
    this.doneDays = typeof days === 'number' ? () => days : days;
    this.rollups = rollupKeys((...parts) => this.key(...parts));
  }

  private key(...parts: string[]): string {
    return [this.prefix, 'ledger', ...parts].join(':');
  }

  /** The Redis keys of the rollups (for the report and the benches). */
  get rollupKeys(): RollupKeys {
    return this.rollups;
  }

  /**
   * Where the scenario's done records may be: the live weeks (cached a minute) and this week's
   * neighbours, each in buckets; the week hashes and the scenario hash of ledgers before them
   * (read until they expire or are removed).
   */
  private async doneWeeks(scenarioId: string): Promise<{ index: string; week: number; weeks: number[]; legacy: string[] }> {
    const index = this.key('done', scenarioId, 'weeks');
    const now = Date.now();
    let cached = this.generations.get(scenarioId);
    if (!cached || now - cached.at > GENERATIONS_CACHE_MS) {
      cached = { at: now, weeks: (await this.redis.zrangebyscore(index, now, '+inf')).map(Number) };
      this.generations.set(scenarioId, cached);
    }
    const week = Math.floor(now / WEEK_MS);
    const weeks = [...new Set([week, ...cached.weeks, week - 1, week + 1])];
    return { index, week, weeks, legacy: [...weeks.map((w) => this.key('done', scenarioId, `w${w}`)), this.key('done', scenarioId)] };
  }

  /** The hash of a week's bucket a done record of the dossier goes to. */
  private doneBucketKey(scenarioId: string, week: number, dossierId: string): string {
    return this.key('done', scenarioId, `w${week}`, dossierId.slice(0, BUCKET_DIGITS));
  }

  /**
   * Records a finished dossier, its reason masked. Returns `recorded: false` (and writes
   * nothing) when the dossier was already recorded done, or already recorded for this campaign.
   */
  async record(entry: LedgerEntry): Promise<{ recorded: boolean; done?: DoneRecord }> {
    const parsed = ledgerEntrySchema.parse(entry);
    // The ledger is kept for years and exported: it holds no personal data. The worker masks a
    // dossier's own values before; the patterns (NIR, IBAN, e-mail, telephone) are masked here
    // again, whoever writes.
    const valid = parsed.reason === undefined ? parsed : { ...parsed, reason: scrubText(parsed.reason) };
    const summary = `${Date.parse(valid.finishedAt)}\t${valid.campaignId}\t${valid.reference ?? ''}`;
    const done = await this.doneWeeks(valid.scenarioId);
    const days = this.doneDays(valid.scenarioId);
    const keepUntil = (done.week + 1) * WEEK_MS + days * DAY_MS;
    const r = rollupArgsOf(valid);
    const keys = [
      this.key('campaign', valid.campaignId, 'dossiers'),
      this.key('campaign', valid.campaignId, 'counts'),
      this.key('entries'),
      this.key('campaign', valid.campaignId, 'worklist'),
      this.rollups.day(r.day),
      this.rollups.month(r.month),
      this.rollups.months,
      this.rollups.rolledFrom,
      this.rollups.of('groups', 'day', r.day),
      this.rollups.of('groups', 'month', r.month),
      this.rollups.of('machines', 'day', r.day),
      this.rollups.of('machines', 'month', r.month),
      this.rollups.of('machine-rows', 'month', r.month),
      done.index,
      ...done.weeks.map((w) => this.doneBucketKey(valid.scenarioId, w, valid.dossierId)),
      ...done.legacy,
    ];
    // Under Sentinel, kept only once a replica holds it; the script finds its own record when run again.
    const [recorded, existing] = await replicated(this.redis, 'the ledger\'s record of a dossier', () => this.redis.prowebLedgerRecord(
      keys.length, ...keys,
      valid.dossierId, valid.status, encodeEntry(valid), summary,
      r.field, r.dossiers, r.manualMilli, r.reworkMilli, r.robotMs, r.month,
      String(done.week), keepUntil, days * DAY_MS, r.groupField, r.pairField, r.machine, r.machineField,
    ), { wrote: ([written]) => written === 1 });
    return recorded === 1 ? { recorded: true } : { recorded: false, ...(existing ? { done: doneRecordOf(existing) } : {}) };
  }

  /**
   * Raises the alarm on a dossier entered again although the ledger had it done under
   * `recordedReference`: the application may hold it twice. Kept per campaign, with both
   * references, for `campaign status` and the people who check.
   */
  async flagPossibleDuplicate(entry: LedgerEntry, recordedReference: string): Promise<void> {
    const valid = ledgerEntrySchema.parse(entry);
    await this.redis
      .multi()
      .hincrby(this.key('campaign', valid.campaignId, 'counts'), 'possibleDuplicate', 1)
      .hset(this.key('campaign', valid.campaignId, 'duplicates'), valid.dossierId, JSON.stringify({ ...valid, recordedReference }))
      .pexpire(this.key('campaign', valid.campaignId, 'duplicates'), this.doneDays(valid.scenarioId) * DAY_MS)
      .exec();
  }

  /** How many dossiers of the campaign may have been entered twice (see {@link flagPossibleDuplicate}). */
  async possibleDuplicates(campaignId: string): Promise<number> {
    return Number((await this.redis.hget(this.key('campaign', campaignId, 'counts'), 'possibleDuplicate')) ?? 0);
  }

  /** The dossiers among `dossierIds` already done, with what was recorded. */
  async doneAmong(scenarioId: string, dossierIds: readonly string[]): Promise<Map<string, DoneRecord>> {
    const found = new Map<string, DoneRecord>();
    if (dossierIds.length === 0) return found;
    const { weeks, legacy } = await this.doneWeeks(scenarioId);
    const buckets = new Map<string, string[]>();
    for (const id of dossierIds) {
      const bucket = id.slice(0, BUCKET_DIGITS);
      buckets.set(bucket, [...(buckets.get(bucket) ?? []), id]);
    }
    const asked: string[][] = [];
    const pipeline = this.redis.pipeline();
    for (const w of weeks) {
      for (const ids of buckets.values()) {
        pipeline.hmget(this.doneBucketKey(scenarioId, w, ids[0]!), ...ids);
        asked.push(ids);
      }
    }
    for (const key of legacy) {
      pipeline.hmget(key, ...dossierIds);
      asked.push([...dossierIds]);
    }
    for (const [n, [error, values]] of ((await pipeline.exec()) ?? []).entries()) {
      if (error) throw error;
      const ids = asked[n]!;
      (values as (string | null)[]).forEach((v, i) => {
        if (v && !found.has(ids[i]!)) found.set(ids[i]!, doneRecordOf(v));
      });
    }
    return found;
  }

  /**
   * Where a done record of one dossier may be, for a caller that reads it in a script of its
   * own with other things (the worker, before each dossier, in one round trip): look for
   * `field` in each of `keys`, in order, the first found is the record; `read` decodes it.
   * The keys are the ones {@link doneAmong} and {@link record} look in (the live weeks are
   * cached a minute: usually no round trip).
   */
  async doneLookup(scenarioId: string, dossierId: string): Promise<DoneLookup> {
    const { weeks, legacy } = await this.doneWeeks(scenarioId);
    return { keys: [...weeks.map((w) => this.doneBucketKey(scenarioId, w, dossierId)), ...legacy], field: dossierId, read: doneRecordOf };
  }

  /** Dossiers of a campaign by final status. */
  async campaignCounts(campaignId: string): Promise<CampaignCounts> {
    const raw = await this.redis.hgetall(this.key('campaign', campaignId, 'counts'));
    return { done: Number(raw.done ?? 0), rejected: Number(raw.rejected ?? 0), failed: Number(raw.failed ?? 0) };
  }

  /**
   * The campaign's dossiers rejected or failed for good, as recorded: the people's work
   * list, read without going through the whole ledger. `undefined` for a campaign
   * recorded before the ledger kept it (read its entries instead).
   */
  async campaignWorkList(campaignId: string): Promise<LedgerEntry[] | undefined> {
    const key = this.key('campaign', campaignId, 'worklist');
    if ((await this.redis.exists(key)) === 0) {
      const counts = await this.campaignCounts(campaignId);
      return counts.rejected + counts.failed === 0 ? [] : undefined;
    }
    const list: LedgerEntry[] = [];
    let cursor = '0';
    do {
      const [next, fields] = await this.redis.hscan(key, cursor, 'COUNT', 1000);
      cursor = next;
      for (let i = 1; i < fields.length; i += 2) list.push(decodeEntry(fields[i]!));
    } while (cursor !== '0');
    return list.sort((a, b) => (a.rowNumber ?? 0) - (b.rowNumber ?? 0));
  }

  /** The stream of entries (archived and trimmed by gains/archive.ts). */
  get entriesKey(): string {
    return this.key('entries');
  }

  /**
   * What a report over `period` adds up, read over `range` (the period and the one it is compared
   * with: `readRangeOf`): the rollups (their number of hashes grows with days, not dossiers), but
   * for a day a bound cuts inside (`--from 2020-03-15T12:00Z`, or the start of the period compared
   * with an open one), read from its entries: exact while they are in Redis (`ledgerEntriesDays`).
   * `byMachine` for a report by machine: the rollups per machine (more figures to add up).
   */
  async *figures(range: Period = {}, period: Period = range, options: { byMachine?: boolean } = {}): AsyncGenerator<GainFigures> {
    const bounds = [range.from, range.to, period.from, period.to].filter((d): d is Date => d !== undefined).map((d) => d.getTime());
    const cutDays = [...new Set(bounds.filter((t) => t % DAY_MS !== 0).map((t) => Math.floor(t / DAY_MS) * DAY_MS))].sort((a, b) => a - b);
    const cuts = bounds.filter((t) => t % DAY_MS === 0).map((t) => new Date(t));
    const hi = range.to?.getTime() ?? Infinity;
    const open = (from: number, to: number): Period => ({ ...(from > -Infinity ? { from: new Date(from) } : {}), ...(to < Infinity ? { to: new Date(to) } : {}) });
    await this.rollUpEarlierEntries();
    let pos = range.from?.getTime() ?? -Infinity;
    for (const day of cutDays) {
      if (pos < day) yield* readRollups(this.redis, this.rollups, open(pos, day), cuts, options);
      const to = Math.min(day + DAY_MS, hi);
      if (Math.max(pos, day) < to) yield* this.entries(open(Math.max(pos, day), to));
      pos = Math.max(pos, to);
    }
    if (pos < hi) yield* readRollups(this.redis, this.rollups, open(pos, hi), cuts, options);
  }

  /**
   * Adds to the rollups the entries recorded before the ledger kept them (a ledger upgraded),
   * once: a marker in Redis says how far it went, and each page is one script. Returns how
   * many entries it rolled up; cheap once done (one range read that comes back empty).
   */
  async rollUpEarlierEntries(): Promise<number> {
    let total = 0;
    for (;;) {
      const [marker, rolledFrom] = await this.redis.mget(this.rollups.migrated, this.rollups.rolledFrom);
      // Entries from rolledFrom on were rolled up as they were recorded.
      const page = await this.redis.xrange(this.key('entries'), marker ? `(${marker}` : '-', rolledFrom ? `(${rolledFrom}` : '+', 'COUNT', 500);
      if (page.length === 0) return total;
      const keys = [this.rollups.migrated, this.rollups.rolledFrom, this.rollups.months];
      const indexOf = (key: string) => {
        let i = keys.indexOf(key);
        if (i < 0) i = keys.push(key) - 1;
        return i + 1;
      };
      const args: (string | number)[] = [marker ?? ''];
      for (const [id, fields] of page) {
        const r = rollupArgsOf(entryOfStream(fields));
        args.push(
          id, indexOf(this.rollups.day(r.day)), indexOf(this.rollups.month(r.month)),
          indexOf(this.rollups.of('groups', 'day', r.day)), indexOf(this.rollups.of('groups', 'month', r.month)),
          indexOf(this.rollups.of('machines', 'day', r.day)), indexOf(this.rollups.of('machines', 'month', r.month)),
          r.month, r.field, r.groupField, r.pairField, r.machine, r.dossiers, r.manualMilli, r.reworkMilli, r.robotMs,
          indexOf(this.rollups.of('machine-rows', 'month', r.month)), r.machineField,
        );
      }
      const n = await this.redis.prowebLedgerMigrate(keys.length, ...keys, ...args);
      if (n === -1) continue; // another report rolled this page up meanwhile
      total += n;
      if (n < page.length) return total;
    }
  }

  /** Every entry, oldest first, optionally within [from, to) on `finishedAt`; read in pages. */
  async *entries(range: { from?: Date; to?: Date } = {}): AsyncGenerator<LedgerEntry> {
    // Stream ids are the times entries were written, never before their `finishedAt` but for
    // the clock difference between a robot machine and Redis: start a margin before `from`.
    let start = range.from ? String(Math.max(0, range.from.getTime() - CLOCK_SKEW_MARGIN_MS)) : '-';
    for (;;) {
      const page = await this.redis.xrange(this.key('entries'), start, '+', 'COUNT', 1000);
      for (const [id, fields] of page) {
        start = `(${id}`;
        const entry = entryOfStream(fields);
        if (finishedWithin(entry, range)) yield entry;
      }
      if (page.length < 1000) return;
    }
  }
}
