import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Job, Queue } from 'bullmq';
import { csvLines } from '../../core/csv.ts';
import { ProwebError } from '../../core/errors.ts';
import { scrubber, type Scrubber } from '../../core/personal-data.ts';
import type { DeploymentSecret } from '../../core/secret.ts';
import type { Ledger, LedgerEntry } from '../../gains/index.ts';
import { readLedgerFile } from '../../gains/ledger-file.ts';
import { readInputRows, REJECTION_COLUMNS } from '../../input/index.ts';
import { catalogue } from '../../scenarios/catalogue.ts';
import type { AnyScenario, RawRow } from '../../scenarios/dsl/index.ts';
import type { CampaignRecord, CampaignRegistry } from './campaign-registry.ts';
import { dossierIdFor, jobIdFor } from './dossier-id.ts';
import type { JobPayload } from './job-payload.ts';

/** A dossier of the campaign that a person must handle: the back office refused it, or it failed for good. */
export interface CampaignReject {
  rowNumber?: number;
  status: 'rejected' | 'failed';
  /** Why, personal data masked (a NIR as `2 85 ** ** *** *** 47`, the dossier's names as `***`). */
  reason: string;
  dossierId: string;
  /** The row as read again from the input file on this machine; absent when it could not be. */
  raw?: RawRow;
  /** Files the failure left (screenshot, page HTML). */
  evidence: string[];
}

/** The work list of a campaign, and how far its rows could be read from the input file. */
export interface CampaignWorkList {
  /** By row number. */
  rejects: CampaignReject[];
  /** The input file the rows' columns were read from. */
  inputFile: string;
  /** Why the input file could not be read here (`file not found`...): then no row has its columns. */
  inputProblem?: string;
  /**
   * Rows whose columns stay empty although the file was read: their row number is past its
   * end, or (checked when the deployment secret is given) the row there now is another
   * dossier, the file having been changed since the campaign was submitted.
   */
  rowsNotMatched: number;
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
  /** The campaign scenario's queue (a dry run's outcomes and every failure's evidence are in its jobs). */
  queue: Queue;
  ledger: Ledger;
  /** Needed for a dry run, whose outcomes are only in the queue. */
  registry: CampaignRegistry;
  /**
   * The input file as this machine reaches it (the agent's own copy). @defaultValue the
   * campaign's `file`, as the submitting machine named it
   */
  inputFile?: string;
  /**
   * The deployment secret: when given, a row read from the file is given to a dossier only
   * if its business key still gives that dossier's id (a file edited since the submission
   * would otherwise put another person's row beside a reason).
   */
  secret?: DeploymentSecret;
  /** @defaultValue the catalogue's scenario of the campaign */
  scenario?: AnyScenario;
  /**
   * The ledger archive folder `proweb purge` writes (`folders.ledgerArchive`), or a ledger
   * export: read when the campaign's work list has expired from Redis and some of its entries
   * have left it too.
   */
  ledgerFile?: string;
}

/**
 * The campaign's work list is no longer in Redis (kept `retention.ledgerDoneDays` after its
 * last dossier) and its entries there miss some of its rejected or failed dossiers (archived
 * and trimmed after `retention.ledgerEntriesDays`).
 */
export class WorkListGone extends ProwebError {
  override name = 'WorkListGone';
  constructor(readonly campaignId: string, readonly expected: number, readonly found: number, ledgerFile?: string) {
    super(
      `campaign ${campaignId}: ${found} of its ${expected} rejected or failed dossiers ${ledgerFile ? `found in Redis and ${ledgerFile}` : 'still in Redis'}: its work list expired and its entries were archived`,
      ledgerFile
        ? 'Give the folder `proweb purge` archives the ledger in (folders.ledgerArchive, ledger-YYYY-MM-DD.jsonl files from the campaign\'s submission on) with --ledger-file <folder>.'
        : 'Read them from the ledger archive: --ledger-file <folder>, the folder `proweb purge` archives the ledger in (folders.ledgerArchive).',
    );
  }
}

/**
 * Every rejected or failed-for-good dossier of a campaign, by row number, with its masked
 * reason and evidence. Outcomes come from the ledger (a dry run's from its jobs); each
 * row's columns come from the input file, read again by row number on the machine that
 * runs this, never from Redis (which keeps no input row in clear).
 */
export async function collectCampaignRejects(options: CollectRejectsOptions): Promise<CampaignWorkList> {
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
    const workList = await options.ledger.campaignWorkList(campaign.id) ?? await workListFromEntries(options);
    workList.forEach(add);
    for (let i = 0; i < rejects.length; i += CONCURRENCY) {
      const slice = rejects.slice(i, i + CONCURRENCY);
      for (const job of await jobsOf(queue, slice.map((r) => jobIdFor(campaign.scenarioId, r.dossierId)), campaign.id)) jobs.set(job.data.dossierId, job);
    }
  }

  await Promise.all(
    rejects.map(async (reject) => {
      const job = jobs.get(reject.dossierId);
      if (!job) return;
      reject.rowNumber ??= job.data.rowNumber;
      if (reject.status === 'failed') {
        const { logs } = await queue.getJobLogs(job.id!);
        reject.evidence = [...new Set(logs.filter((l) => l.startsWith(EVIDENCE_LOG)).map((l) => scrubber.text(l.slice(EVIDENCE_LOG.length).trim())))];
      }
    }),
  );
  const scenario = options.scenario ?? catalogue.get(campaign.scenarioId);
  const inputFile = options.inputFile ?? campaign.file;
  const read = await fillFromInputFile(inputFile, rejects, { campaign, scenario, secret: options.secret });
  for (const reject of rejects) reject.reason = scrubberOf(scenario, reject.raw).text(reject.reason);
  return {
    rejects: rejects.sort((a, b) => (a.rowNumber ?? Infinity) - (b.rowNumber ?? Infinity)),
    inputFile,
    ...read,
  };
}

/**
 * The campaign's rejected and failed dossiers from its entries, when Redis no longer keeps its
 * work list (expired, or a campaign recorded before there was one): those in Redis since its
 * submission, and when some are missing (the campaign's counts say how many there are) those
 * of the ledger archive too. Never quietly short: {@link WorkListGone} when some stay missing.
 */
async function workListFromEntries(options: CollectRejectsOptions): Promise<LedgerEntry[]> {
  const { campaign, ledger, ledgerFile } = options;
  const counts = await ledger.campaignCounts(campaign.id);
  const expected = counts.rejected + counts.failed;
  const from = new Date(Date.parse(campaign.submittedAt) - CLOCK_SKEW_MARGIN_MS);
  // By dossier, the last outcome: a dossier done after it failed leaves the work list, as it leaves Redis's.
  const outcomes = new Map<string, LedgerEntry>();
  const seen = new Set<string>();
  const take = (entry: LedgerEntry) => {
    if (entry.campaignId !== campaign.id) return;
    if (entry.status !== 'done') seen.add(entry.dossierId);
    outcomes.set(entry.dossierId, entry);
  };
  const readRedis = async () => {
    for await (const entry of ledger.entries({ from })) take(entry);
  };
  await readRedis();
  if (seen.size < expected && ledgerFile) {
    // Oldest first: the archive holds the days before those still in Redis (a day in both is the same entries).
    outcomes.clear();
    for await (const entry of readLedgerFile(ledgerFile, { from })) take(entry);
    await readRedis();
  }
  if (seen.size < expected) throw new WorkListGone(campaign.id, expected, seen.size, ledgerFile);
  return [...outcomes.values()].filter((e) => e.status !== 'done');
}

/**
 * What masks a dossier's reason: its declared personal values when its row was read
 * (every cell of it when the row no longer parses, erring on the side of hiding), and
 * the patterns (NIR, IBAN, e-mail, telephone) always.
 */
function scrubberOf(scenario: AnyScenario | undefined, raw: RawRow | undefined): Scrubber {
  if (!raw) return scrubber;
  const parsed = scenario?.input.safeParse(raw);
  return parsed?.success ? scenario!.scrubberFor(parsed.data) : scrubber.with(Object.values(raw));
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

/**
 * Reads the rows of the rejects from the input file, by row number, in one pass that
 * stops at the last one wanted. A row goes to a dossier only when it still is that
 * dossier (same business key under the secret), when the secret and scenario are known.
 */
async function fillFromInputFile(
  file: string,
  rejects: CampaignReject[],
  context: { campaign: CampaignRecord; scenario: AnyScenario | undefined; secret: DeploymentSecret | undefined },
): Promise<Pick<CampaignWorkList, 'inputProblem' | 'rowsNotMatched'>> {
  const wanted = new Map<number, CampaignReject[]>();
  for (const r of rejects) if (r.rowNumber) wanted.set(r.rowNumber, [...(wanted.get(r.rowNumber) ?? []), r]);
  if (wanted.size === 0) return { rowsNotMatched: 0 };
  const { scenario, secret } = context;
  const sameDossier = (raw: RawRow, dossierId: string) => {
    if (!secret || !scenario) return true;
    const parsed = scenario.input.safeParse(raw);
    return parsed.success && dossierIdFor(context.campaign.scenarioId, scenario.businessKey(parsed.data), secret) === dossierId;
  };
  try {
    let left = wanted.size;
    for await (const row of readInputRows(file)) {
      const waiting = wanted.get(row.rowNumber);
      if (!waiting) continue;
      for (const r of waiting) if (sameDossier(row.raw, r.dossierId)) r.raw = row.raw;
      if (--left === 0) break;
    }
  } catch (error) {
    // The file moved, or is on another machine: the rows keep their number, status and reason.
    return { inputProblem: inputProblemOf(file, error), rowsNotMatched: 0 };
  }
  return { rowsNotMatched: rejects.filter((r) => r.rowNumber && !r.raw).length };
}

/** `file not found`, `cannot read the file (EACCES)`: what an InputFileError says, without the file (named apart). */
function inputProblemOf(file: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return scrubber.text(message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message);
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
