import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { Queue } from 'bullmq';
import type { DeploymentSecret } from '../../core/secret.ts';
import type { Ledger } from '../../gains/index.ts';
import { createRejectionFile, readInputRows, validateRows, type InvalidRow } from '../../input/index.ts';
import type { Scenario } from '../../scenarios/dsl/index.ts';
import { dossierIdFor, jobIdOfDossier } from './dossier-id.ts';
import { sealJobPayload, type JobPayload } from './job-payload.ts';
import { DEFAULT_PRIORITY, DOSSIER_JOB_OPTIONS } from '../queue-options.ts';

/** What happened to each row of a submitted file. */
export interface CampaignSubmission {
  campaignId: string;
  scenarioId: string;
  caisse: string;
  file: string;
  rows: number;
  /** Rows refused before the queue, one entry per problem (file, row, field, reason). */
  invalid: InvalidRow[];
  invalidRows: number;
  /** Rows already done in an earlier campaign (the ledger says so): nothing to enter. */
  alreadyDone: number;
  /** Rows whose dossier is waiting or running in the queue already (an earlier, interrupted submission). */
  alreadyQueued: number;
  /** Ids of those jobs. */
  queuedJobIds: string[];
  /** Ids of the jobs this submission added. */
  jobIds: string[];
  /** The invalid rows, written next to the input (or in the rejections folder) for the author to correct and resubmit. */
  rejectionFile?: string;
}

export interface SubmitCampaignOptions {
  queue: Queue;
  ledger: Ledger;
  scenario: Scenario<any>;
  file: string;
  caisse: string;
  /**
   * The deployment secret: keys the dossier ids and seals each job's row, so that the
   * workers (holding the same secret) run only what this deployment queued.
   */
  secret: DeploymentSecret;
  /** The configuration's `folders.rejections`: where the rejection file goes; unset = next to the input. */
  rejectionsFolder?: string;
  campaignId?: string;
  /** Rows validated and enqueued per round trip. @defaultValue 500 */
  batchSize?: number;
  priority?: number;
  /** Every step but the commit: jobs of their own (they never stand in for real ones), no ledger entry. */
  dryRun?: boolean;
  /** No dossier is taken before then: the jobs are added delayed until this time (a past time delays nothing). */
  notBefore?: Date;
  /**
   * Called with each batch's new job ids just before the jobs are added, so that a
   * campaign registry knows every job the queue will ever hold for this campaign.
   */
  onBatch?: (jobIds: readonly string[]) => Promise<void> | void;
}

/** A fresh campaign id: the day, then a random part (`2026-12-02-1f3a9c0e`). */
export const newCampaignId = (now = new Date()): string => `${now.toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;

/** Job states in which a job still holds its id for a dossier that is not finished. */
const PENDING_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * Submits a campaign: one scenario × one input file × one caisse. Rows are streamed
 * and validated; invalid rows are reported and skipped; each valid row becomes one
 * job whose id is derived from its business key (keyed with the deployment secret) and
 * whose row is sealed with it, unless the ledger says the dossier is already done. Submitting the same file twice therefore enters nothing new.
 */
export async function submitCampaign(options: SubmitCampaignOptions): Promise<CampaignSubmission> {
  const { queue, ledger, scenario, file, caisse } = options;
  const batchSize = options.batchSize ?? 500;
  const campaignId = options.campaignId ?? newCampaignId();
  const label = basename(file);
  const result: CampaignSubmission = { campaignId, scenarioId: scenario.id, caisse, file, rows: 0, invalid: [], invalidRows: 0, alreadyDone: 0, alreadyQueued: 0, queuedJobIds: [], jobIds: [] };
  const rejections = createRejectionFile(file, { folder: options.rejectionsFolder });
  let batch: JobPayload[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const current = batch;
    batch = [];
    const done = await ledger.doneAmong(scenario.id, current.map((p) => p.dossierId));
    const todo = current.filter((p) => !done.has(p.dossierId));
    result.alreadyDone += current.length - todo.length;
    const fresh: JobPayload[] = [];
    const idOf = (p: JobPayload) => jobIdOfDossier(p);
    for (const payload of todo) {
      const existing = options.dryRun ? undefined : await queue.getJob(idOf(payload));
      if (existing) {
        const state = await existing.getState();
        if (PENDING_STATES.has(state)) {
          result.alreadyQueued++;
          result.queuedJobIds.push(existing.id!);
          continue;
        }
        // Finished without being done (rejected or failed for good): a resubmission tries it again.
        await existing.remove();
      }
      fresh.push(payload);
    }
    if (fresh.length > 0) await options.onBatch?.(fresh.map(idOf));
    // Computed per batch, so that a file read over minutes still starts at the time asked.
    const delay = options.notBefore ? Math.max(0, options.notBefore.getTime() - Date.now()) : 0;
    await queue.addBulk(
      fresh.map((data) => ({
        name: scenario.id,
        data,
        opts: { ...DOSSIER_JOB_OPTIONS, jobId: idOf(data), priority: options.priority ?? DEFAULT_PRIORITY, ...(delay > 0 ? { delay } : {}) },
      })),
    );
    result.jobIds.push(...fresh.map(idOf));
  };

  try {
    for await (const validated of validateRows(scenario, label, readInputRows(file))) {
      result.rows++;
      if (!validated.ok) {
        result.invalidRows++;
        result.invalid.push(...validated.problems);
        await rejections.add(validated, validated.problems);
        continue;
      }
      batch.push(sealJobPayload({
        campaignId, scenarioId: scenario.id, scenarioVersion: scenario.version, caisse, file: label,
        rowNumber: validated.rowNumber, dossierId: dossierIdFor(scenario.id, validated.key, options.secret),
        ...(options.dryRun ? { dryRun: true } : {}),
      }, validated.raw, options.secret));
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    const written = await rejections.close();
    if (written.rows > 0) result.rejectionFile = written.path;
  }
  return result;
}
