import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Job, Queue } from 'bullmq';
import type { Ledger, LedgerEntry } from '../gains/index.ts';
import { readInputRows, REJECTION_COLUMNS } from '../input/index.ts';
import type { RawRow } from '../scenarios/dsl/index.ts';
import type { CampaignRecord, CampaignRegistry } from './campaign-registry.ts';
import { jobIdFor } from './dossier-id.ts';
import type { JobPayload } from './job-payload.ts';
import { csvLines } from '../core/csv.ts';

/** A dossier of the campaign that a person must handle: the back office refused it, or it failed for good. */
export interface CampaignReject {
  rowNumber?: number;
  status: 'rejected' | 'failed';
  reason: string;
  dossierId: string;
  /** The row as read from the input file. */
  raw?: RawRow;
  /** Files the failure left (screenshot, page HTML). */
  evidence: string[];
}

/** Columns the work list adds after the input's own. */
export const WORK_LIST_COLUMNS = { ...REJECTION_COLUMNS, status: 'statut', evidence: 'preuves' } as const;

const STATUS_LABELS = { rejected: 'rejeté', failed: 'échec' } as const;

/** How far a robot machine's clock may be behind the submitting machine's. */
const CLOCK_SKEW_MARGIN_MS = 15 * 60_000;

/** Jobs asked for at once. */
const CONCURRENCY = 100;

const EVIDENCE_LOG = 'evidence: ';

export interface CollectRejectsOptions {
  campaign: CampaignRecord;
  /** The campaign scenario's queue. */
  queue: Queue;
  ledger: Ledger;
  /** Needed for a dry run, whose outcomes are only in the queue. */
  registry: CampaignRegistry;
}

/**
 * Every rejected or failed-for-good dossier of a campaign, by row number. Outcomes
 * come from the ledger (a dry run's from its jobs); each row's columns from the job,
 * which carries the raw row, or, when the job was trimmed from the queue, from the
 * input file read again by row number.
 */
export async function collectCampaignRejects(options: CollectRejectsOptions): Promise<CampaignReject[]> {
  const { campaign, queue } = options;
  const jobs = new Map<string, Job<JobPayload>>();
  const rejects: CampaignReject[] = [];

  if (campaign.dryRun) {
    for await (const ids of options.registry.jobIds(campaign.id)) {
      for (const job of await jobsOf(queue, ids, campaign.id)) {
        const outcome = await outcomeOf(job);
        if (!outcome) continue;
        jobs.set(job.data.dossierId, job);
        rejects.push({ rowNumber: job.data.rowNumber, dossierId: job.data.dossierId, evidence: [], ...outcome });
      }
    }
  } else {
    const add = (entry: LedgerEntry) => {
      if (entry.campaignId !== campaign.id || entry.status === 'done') return;
      rejects.push({ ...(entry.rowNumber ? { rowNumber: entry.rowNumber } : {}), status: entry.status, reason: entry.reason ?? '', dossierId: entry.dossierId, evidence: [] });
    };
    const workList = await options.ledger.campaignWorkList(campaign.id);
    if (workList) {
      workList.forEach(add);
    } else {
      // Recorded before the ledger kept a work list per campaign: read the entries since its submission.
      const from = new Date(Date.parse(campaign.submittedAt) - CLOCK_SKEW_MARGIN_MS);
      for await (const entry of options.ledger.entries({ from })) add(entry);
    }
    for (let i = 0; i < rejects.length; i += CONCURRENCY) {
      const slice = rejects.slice(i, i + CONCURRENCY);
      for (const job of await jobsOf(queue, slice.map((r) => jobIdFor(campaign.scenarioId, r.dossierId)), campaign.id)) jobs.set(job.data.dossierId, job);
    }
  }

  await Promise.all(
    rejects.map(async (reject) => {
      const job = jobs.get(reject.dossierId);
      if (!job) return;
      reject.raw = job.data.raw;
      reject.rowNumber ??= job.data.rowNumber;
      if (reject.status === 'failed') {
        const { logs } = await queue.getJobLogs(job.id!);
        reject.evidence = [...new Set(logs.filter((l) => l.startsWith(EVIDENCE_LOG)).map((l) => l.slice(EVIDENCE_LOG.length).trim()))];
      }
    }),
  );
  await fillFromInputFile(campaign.file, rejects);
  return rejects.sort((a, b) => (a.rowNumber ?? Infinity) - (b.rowNumber ?? Infinity));
}

/** The campaign's jobs among these ids (a job id is a dossier's: a later campaign may hold it now). */
async function jobsOf(queue: Queue, ids: readonly string[], campaignId: string): Promise<Job<JobPayload>[]> {
  const found: Job<JobPayload>[] = [];
  for (let i = 0; i < ids.length; i += CONCURRENCY) {
    const jobs = await Promise.all(ids.slice(i, i + CONCURRENCY).map((id) => queue.getJob(id) as Promise<Job<JobPayload> | undefined>));
    for (const job of jobs) if (job?.data?.campaignId === campaignId) found.push(job);
  }
  return found;
}

/** A dry-run job's outcome when it is one for the work list. */
async function outcomeOf(job: Job<JobPayload>): Promise<Pick<CampaignReject, 'status' | 'reason'> | undefined> {
  const state = await job.getState();
  if (state === 'failed') return { status: 'failed', reason: job.failedReason ?? '' };
  const value = job.returnvalue as { status?: string; reason?: string } | null;
  if (state === 'completed' && value?.status === 'rejected') return { status: 'rejected', reason: value.reason ?? '' };
  return undefined;
}

/** Rows whose job is gone are read again from the input file, when this machine can still read it. */
async function fillFromInputFile(file: string, rejects: CampaignReject[]): Promise<void> {
  const wanted = new Map<number, CampaignReject[]>();
  for (const r of rejects) if (!r.raw && r.rowNumber) wanted.set(r.rowNumber, [...(wanted.get(r.rowNumber) ?? []), r]);
  if (wanted.size === 0) return;
  try {
    let left = wanted.size;
    for await (const row of readInputRows(file)) {
      const waiting = wanted.get(row.rowNumber);
      if (!waiting) continue;
      for (const r of waiting) r.raw = row.raw;
      if (--left === 0) return;
    }
  } catch {
    // The file moved or is on another machine: those rows keep their number and reason only.
  }
}

const line = (values: readonly string[]) => csvLines([values]);

/**
 * Writes the work list as Excel opens it on a French Windows (UTF-8 with BOM, `;`,
 * CRLF), like the rejection file: the input's columns with the values as read, then
 * `ligne`, `statut`, `motif` and `preuves`. Corrected, it can be submitted again.
 */
export async function writeCampaignRejects(out: string, rejects: readonly CampaignReject[]): Promise<{ path: string; rows: number }> {
  const own = new Set<string>(Object.values(WORK_LIST_COLUMNS)); // a resubmitted work list has them already
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of rejects) {
    for (const c of Object.keys(r.raw ?? {})) {
      if (!own.has(c) && !seen.has(c)) {
        seen.add(c);
        columns.push(c);
      }
    }
  }
  let text = `\ufeff${line([...columns, WORK_LIST_COLUMNS.row, WORK_LIST_COLUMNS.status, WORK_LIST_COLUMNS.reason, WORK_LIST_COLUMNS.evidence])}`;
  for (const r of rejects) {
    text += line([...columns.map((c) => r.raw?.[c] ?? ''), r.rowNumber ? String(r.rowNumber) : '', STATUS_LABELS[r.status], r.reason, r.evidence.join(' | ')]);
  }
  const path = resolve(out);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text, 'utf8');
  return { path, rows: rejects.length };
}
