import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue, type ConnectionOptions } from 'bullmq';
import { DEFAULT_PREFIX } from '../queue-options.ts';

/**
 * Retention of what may hold personal data, applied by `proweb purge`: files a robot machine
 * keeps (evidence, traces, rejection files) and the ended jobs of the shared Redis (their
 * input row, return value and failure). The ledger and the logs hold none; the ledger's entries
 * leave Redis for their archive only to keep its memory flat (gains/archive.ts).
 */

/** The configuration's `retention`, in whole days. */
export interface RetentionPeriods {
  evidenceDays: number;
  tracesDays: number;
  rejectionFilesDays: number;
  endedJobsDays: number;
}

const DAY_MS = 24 * 3600 * 1000;

/** The instant before which something kept `days` days is due, at `now`. */
export const cutoffFor = (days: number, now: Date): Date => new Date(now.getTime() - days * DAY_MS);

/** Files removed (or, in a dry run, that would be) from some folders. */
export interface FilesPurged {
  files: number;
  bytes: number;
  /** Files that were due but could not be removed, with the reason. */
  failures: { path: string; reason: string }[];
}

export interface PurgeFilesOptions {
  /** Folders to go through, sub-folders included; one that does not exist holds nothing. */
  folders: readonly string[];
  /** Files last modified before this instant are removed. */
  before: Date;
  /** Only files whose name passes this test (rejection files among the exports of a drop folder). */
  accept?: (name: string) => boolean;
  /** Count, remove nothing. */
  dryRun?: boolean;
}

/**
 * Removes the files of `folders` (and their sub-folders) last modified before `before`. Symbolic
 * links are removed as links, never followed: a link in a data folder cannot make purge delete
 * files elsewhere. Folders themselves stay, since a robot may be about to write in them.
 */
export async function purgeFiles(options: PurgeFilesOptions): Promise<FilesPurged> {
  const result: FilesPurged = { files: 0, bytes: 0, failures: [] };
  const seen = new Set<string>();
  const visit = async (folder: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      result.failures.push({ path: folder, reason: code ?? String(error) });
      return;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        await visit(path);
        continue;
      }
      if (!(entry.isFile() || entry.isSymbolicLink()) || (options.accept && !options.accept(entry.name)) || seen.has(path)) continue;
      seen.add(path);
      let info;
      try {
        info = await lstat(path);
      } catch {
        continue; // gone meanwhile
      }
      if (info.mtimeMs >= options.before.getTime()) continue;
      if (!options.dryRun) {
        try {
          await unlink(path);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code !== 'ENOENT') result.failures.push({ path, reason: code ?? String(error) });
          continue;
        }
      }
      result.files++;
      result.bytes += info.isFile() ? info.size : 0;
    }
  };
  // A folder given twice (the rejections folder is also a drop folder) is gone through once.
  for (const folder of new Set(options.folders)) await visit(folder);
  return result;
}

/** Ended jobs removed from one queue (or, in a dry run, that would be). */
export interface JobsPurged {
  completed: number;
  failed: number;
}

export interface PurgeEndedJobsOptions {
  connection: ConnectionOptions;
  /** @defaultValue 'proweb' */
  prefix?: string;
  /** Names of the queues, one per scenario. */
  queues: readonly string[];
  /** Jobs that ended (completed or failed) before this instant are removed. */
  before: Date;
  dryRun?: boolean;
}

/** Jobs read per round trip when a dry run counts them. */
const COUNT_PAGE = 500;

/**
 * Removes the completed and failed jobs that ended before `before` from each queue, with
 * BullMQ's `Queue.clean` (jobs, their logs and their data). Jobs waiting, delayed or running
 * are never touched.
 */
export async function purgeEndedJobs(options: PurgeEndedJobsOptions): Promise<Record<string, JobsPurged>> {
  const result: Record<string, JobsPurged> = {};
  for (const name of options.queues) {
    const queue = new Queue(name, { connection: options.connection, prefix: options.prefix ?? DEFAULT_PREFIX });
    try {
      const purged: JobsPurged = { completed: 0, failed: 0 };
      for (const state of ['completed', 'failed'] as const) {
        purged[state] = options.dryRun ? await countEndedBefore(queue, state, options.before) : (await queue.clean(Math.max(0, Date.now() - options.before.getTime()), 0, state)).length;
      }
      result[name] = purged;
    } finally {
      await queue.close();
    }
  }
  return result;
}

/** Ended jobs are kept ordered by the time they ended: count from the oldest until one is recent enough. */
async function countEndedBefore(queue: Queue, state: 'completed' | 'failed', before: Date): Promise<number> {
  let count = 0;
  for (let start = 0; ; start += COUNT_PAGE) {
    const jobs = await queue.getJobs([state], start, start + COUNT_PAGE - 1, true);
    for (const job of jobs) {
      if ((job.finishedOn ?? job.timestamp) >= before.getTime()) return count;
      count++;
    }
    if (jobs.length < COUNT_PAGE) return count;
  }
}
