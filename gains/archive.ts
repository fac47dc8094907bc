import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Redis, Result } from 'ioredis';
import { entryOfStream } from './entry-codec.ts';
import type { LedgerEntry } from './ledger-entry.ts';
import { exportLedger } from './ledger-file.ts';
import type { Ledger } from './ledger.ts';

/**
 * The ledger's archive: entries past their retention leave Redis for dated files, one JSON
 * lines file per UTC day of recording (`ledger-2020-03-15.jsonl`), which `proweb report
 * --ledger-file <folder>` reads. The gain figures stay in Redis, in the rollups.
 */

/** Gives the archiving lock back, only if this run holds it. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    prowebLedgerArchiveRelease(lockKey: string, token: string): Result<number, Context>;
  }
}

function withCommands(redis: Redis): Redis {
  if (typeof (redis as Partial<Redis>).prowebLedgerArchiveRelease !== 'function') {
    redis.defineCommand('prowebLedgerArchiveRelease', { numberOfKeys: 1, lua: RELEASE });
  }
  return redis;
}

const DAY_MS = 86_400_000;
/** Long enough for a year of days to be written; a crashed run's lock frees itself after it. */
const LOCK_MS = 30 * 60_000;
const PAGE = 1000;

/** The archive file of a day (`2020-03-15`). */
export const archiveFileOf = (folder: string, day: string): string => join(folder, `ledger-${day}.jsonl`);

/** What {@link archiveLedger} did, or would do in a dry run. */
export interface LedgerArchived {
  /** The days archived, oldest first, with their entries and file. */
  days: { day: string; entries: number; file: string }[];
  entries: number;
  /** Another machine was archiving: nothing done. */
  busy?: boolean;
}

export interface ArchiveLedgerOptions {
  redis: Redis;
  ledger: Ledger;
  folder: string;
  /** Days that ended at or before this instant are archived and trimmed; a day still open never is. */
  before: Date;
  dryRun?: boolean;
}

const msOf = (id: string) => Number(id.slice(0, id.indexOf('-')));

/** The entries of a stream range, in pages. */
async function* entriesBetween(redis: Redis, key: string, start: number, endInclusive: number): AsyncGenerator<LedgerEntry> {
  let from = String(start);
  for (;;) {
    const page = await redis.xrange(key, from, String(endInclusive), 'COUNT', PAGE);
    for (const [id, fields] of page) {
      from = `(${id}`;
      yield entryOfStream(fields);
    }
    if (page.length < PAGE) return;
  }
}

/**
 * Writes the ledger's entries of each whole day before `before` to its archive file, then
 * trims that day from Redis, oldest day first: a file is complete before any entry of its day
 * leaves Redis, and a run stopped between the two writes the same file again next time (a day
 * past receives no entry: stream ids are Redis's clock). One machine at a time (a lock in Redis).
 */
export async function archiveLedger(options: ArchiveLedgerOptions): Promise<LedgerArchived> {
  const redis = withCommands(options.redis);
  const key = options.ledger.entriesKey;
  const lock = `${key}:archiving`;
  const token = randomUUID();
  const result: LedgerArchived = { days: [], entries: 0 };
  if (!options.dryRun && (await redis.set(lock, token, 'PX', LOCK_MS, 'NX')) === null) return { ...result, busy: true };
  try {
    const cutoff = Math.floor(options.before.getTime() / DAY_MS) * DAY_MS;
    let next = '-';
    for (;;) {
      const [first] = await redis.xrange(key, next, '+', 'COUNT', 1);
      if (!first) break;
      const dayStart = Math.floor(msOf(first[0]) / DAY_MS) * DAY_MS;
      const dayEnd = dayStart + DAY_MS;
      if (dayEnd > cutoff) break;
      const day = new Date(dayStart).toISOString().slice(0, 10);
      const file = archiveFileOf(options.folder, day);
      let entries = 0;
      if (options.dryRun) {
        for await (const _ of entriesBetween(redis, key, dayStart, dayEnd - 1)) entries++;
        next = String(dayEnd);
      } else {
        entries = await exportLedger(entriesBetween(redis, key, dayStart, dayEnd - 1), { format: 'jsonl', out: file });
        await redis.xtrim(key, 'MINID', dayEnd);
      }
      result.days.push({ day, entries, file });
      result.entries += entries;
    }
  } finally {
    if (!options.dryRun) await redis.prowebLedgerArchiveRelease(lock, token);
  }
  return result;
}
