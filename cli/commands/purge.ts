import { join, resolve } from 'node:path';
import type { ProwebConfig } from '../../core/config.ts';
import { archiveLedger, Ledger, ledgerOptionsOf } from '../../gains/index.ts';
import { REJECTION_FILE_SUFFIX } from '../../input/rejection-file.ts';
import { queueNameFor } from '../../queue/queue-options.ts';
import { cutoffFor, type FilesPurged, purgeEndedJobs, purgeFiles } from '../../queue/campaigns/retention.ts';
import { catalogue } from '../../scenarios/catalogue.ts';
import type { CommandContext } from '../context.ts';
import type { PurgeOptions } from '../program/purge.ts';
import { loadConfigWithRedis, openRedis } from '../redis.ts';

/** The folders rejection files are written in: the rejections folder, and the drop folders (next to the exports). */
export function rejectionFolders(config: ProwebConfig): string[] {
  return [...(config.folders.rejections ? [config.folders.rejections] : []), ...config.folders.drops];
}

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} kB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(1)} GB`;
}

/**
 * `proweb purge [--dry-run]`: applies the configuration's retention. Removes the evidence
 * (`dataDir/evidence`), traces (`dataDir/traces`) and rejection files older than theirs on this
 * machine, then the completed and failed jobs of every scenario's queue that ended longer ago
 * than theirs, and archives the ledger's entries past `retention.ledgerEntriesDays` to
 * `folders.ledgerArchive` (when set) before trimming them from Redis. Prints what it removed, by kind. Files go first: a Redis that does not answer
 * leaves no personal data on the disk past its time. Run it daily on every robot machine (a
 * systemd timer); cleaning the shared queues from several machines is harmless.
 *
 * Exit code 1 when something due could not be removed.
 */
export async function purgeCommand(opts: PurgeOptions, ctx: CommandContext): Promise<number> {
  const config = await loadConfigWithRedis(opts);
  const { retention } = config;
  const now = new Date();
  const dryRun = opts.dryRun ?? false;
  const removed = dryRun ? 'would be removed' : 'removed';
  if (dryRun) ctx.out('Dry run: nothing is removed.\n');

  const failures: FilesPurged['failures'] = [];
  const files = async (label: string, folders: string[], keptDays: number, accept?: (name: string) => boolean) => {
    const purged = await purgeFiles({ folders, before: cutoffFor(keptDays, now), dryRun, ...(accept ? { accept } : {}) });
    failures.push(...purged.failures);
    ctx.out(`${label} older than ${days(keptDays)}: ${purged.files} file${purged.files === 1 ? '' : 's'} ${removed}${purged.files > 0 ? ` (${bytes(purged.bytes)})` : ''}, in ${folders.join(', ')}\n`);
  };
  const dataDir = resolve(config.dataDir);
  await files('Evidence', [join(dataDir, 'evidence')], retention.evidenceDays);
  await files('Traces', [join(dataDir, 'traces')], retention.tracesDays);
  const rejections = rejectionFolders(config);
  if (rejections.length > 0) {
    await files('Rejection files', rejections, retention.rejectionFilesDays, (name) => name.endsWith(REJECTION_FILE_SUFFIX));
  } else {
    ctx.out('Rejection files: none looked for, since the configuration names no folder (folders.rejections, folders.drops); those written next to input files are the sender\'s to delete.\n');
  }

  const redis = await openRedis(config, ctx.closer, { requireNoEviction: false });
  const queues = [...catalogue.keys()].map(queueNameFor);
  const jobs = await purgeEndedJobs({ connection: redis.connection, prefix: config.prefix, queues, before: cutoffFor(retention.endedJobsDays, now), dryRun });
  const total = Object.values(jobs).reduce((sum, j) => ({ completed: sum.completed + j.completed, failed: sum.failed + j.failed }), { completed: 0, failed: 0 });
  const detail = Object.entries(jobs).filter(([, j]) => j.completed + j.failed > 0).map(([queue, j]) => `${queue} ${j.completed} + ${j.failed}`);
  ctx.out(`Ended jobs older than ${days(retention.endedJobsDays)}: ${total.completed} completed and ${total.failed} failed ${removed}${detail.length > 0 ? ` (${detail.join(', ')})` : ''}, in Redis ${redis.where}, prefix "${config.prefix}"\n`);

  // The ledger holds no personal data: its entries leave Redis for the archive only to keep its memory flat.
  const archive = config.folders.ledgerArchive;
  if (archive) {
    const ledger = new Ledger(redis.client, ledgerOptionsOf(config));
    const archived = await archiveLedger({ redis: redis.client, ledger, folder: archive, before: cutoffFor(retention.ledgerEntriesDays, now), dryRun });
    const span = archived.days.length > 0 ? ` (${archived.days[0]!.day} – ${archived.days.at(-1)!.day})` : '';
    ctx.out(archived.busy
      ? 'Ledger entries: another machine is archiving them now; nothing done here.\n'
      : `Ledger entries older than ${days(retention.ledgerEntriesDays)}: ${archived.entries} ${dryRun ? 'would be archived' : 'archived'} in ${archived.days.length} day file${archived.days.length === 1 ? '' : 's'}${span} in ${archive}, and ${dryRun ? 'would be ' : ''}trimmed from Redis (the gains stay in the rollups)\n`);
  } else {
    ctx.out('Ledger entries: kept in Redis, since the configuration names no folders.ledgerArchive to archive them in.\n');
  }

  for (const f of failures) ctx.out(`could not remove ${f.path}: ${f.reason}\n`);
  if (failures.length > 0) ctx.out(`${failures.length} item${failures.length === 1 ? '' : 's'} due could not be removed: check the permissions of the user purge runs as.\n`);
  return failures.length > 0 ? 1 : 0;
}
