import { resolve } from 'node:path';
import { Queue, type ConnectionOptions } from 'bullmq';
import type { DeploymentSecret } from '../../core/secret.ts';
import type { Ledger } from '../../gains/index.ts';
import type { Scenario } from '../../scenarios/dsl/index.ts';
import { newCampaignId, submitCampaign, type CampaignSubmission, type SubmitCampaignOptions } from './campaign.ts';
import type { CampaignRegistry } from './campaign-registry.ts';
import { DEFAULT_PREFIX, queueNameFor } from '../queue-options.ts';

export interface EnqueueCampaignOptions {
  connection: ConnectionOptions;
  /** @defaultValue 'proweb' */
  prefix?: string;
  ledger: Ledger;
  registry: CampaignRegistry;
  scenario: Scenario<any>;
  file: string;
  caisse: string;
  /** The deployment secret the fleet's workers hold: keys the dossier ids, seals the jobs. */
  secret: DeploymentSecret;
  /** BullMQ priority, 1 (taken first) to 2 097 152. */
  priority?: number;
  /** No dossier is taken before then. */
  notBefore?: Date;
  campaignId?: string;
  dryRun?: boolean;
  /** The submitting machine, kept in the campaign's record. */
  machine?: string;
  /** The configuration's `folders.rejections`; unset = the rejection file goes next to the input. */
  rejectionsFolder?: string;
}

/**
 * Queues a campaign for the fleet, without running anything here: the file is read
 * and validated, its jobs added (priority, not-before) and the campaign registered
 * so that `proweb campaign` can follow, pause and cancel it.
 */
export async function enqueueCampaign(options: EnqueueCampaignOptions): Promise<CampaignSubmission> {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const queue = new Queue(queueNameFor(options.scenario.id), { connection: options.connection, prefix });
  try {
    return await submitRegisteredCampaign({
      queue, ledger: options.ledger, registry: options.registry, scenario: options.scenario, file: options.file, caisse: options.caisse, secret: options.secret,
      ...(options.priority !== undefined ? { priority: options.priority } : {}),
      ...(options.notBefore ? { notBefore: options.notBefore } : {}),
      ...(options.campaignId ? { campaignId: options.campaignId } : {}),
      ...(options.dryRun ? { dryRun: true } : {}),
      ...(options.machine ? { machine: options.machine } : {}),
      ...(options.rejectionsFolder ? { rejectionsFolder: options.rejectionsFolder } : {}),
    });
  } finally {
    await queue.close();
  }
}

/**
 * {@link submitCampaign}, with the campaign registered before its first job is added
 * and each batch's jobs registered before they are added: a pause or a cancellation
 * reaches every job, even while a large file is still being read.
 */
export async function submitRegisteredCampaign(
  options: Omit<SubmitCampaignOptions, 'onBatch'> & { registry: CampaignRegistry; machine?: string },
): Promise<CampaignSubmission> {
  const { registry, scenario } = options;
  const campaignId = options.campaignId ?? newCampaignId();
  await registry.create({
    id: campaignId, scenarioId: scenario.id, scenarioVersion: scenario.version, caisse: options.caisse, file: resolve(options.file),
    submittedAt: new Date().toISOString(),
    ...(options.notBefore ? { notBefore: options.notBefore.toISOString() } : {}),
    ...(options.priority !== undefined ? { priority: options.priority } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.machine ? { machine: options.machine } : {}),
    rows: 0, invalidRows: 0, alreadyDone: 0, queued: 0, alreadyQueued: 0, state: 'active', reading: true,
  });
  let added = 0;
  let submission: CampaignSubmission;
  try {
    submission = await submitCampaign({
      ...options, campaignId,
      onBatch: async (jobIds) => {
        added += jobIds.length;
        await registry.addJobs(campaignId, jobIds);
      },
    });
  } catch (error) {
    // A file that cannot be read leaves no campaign behind; one that broke mid-way keeps what it queued.
    if (added === 0) await registry.forget(campaignId);
    else await registry.update(campaignId, { queued: added, reading: false });
    throw error;
  }
  await registry.update(campaignId, {
    rows: submission.rows, invalidRows: submission.invalidRows, alreadyDone: submission.alreadyDone,
    queued: submission.jobIds.length, alreadyQueued: submission.alreadyQueued,
    ...(submission.rejectionFile ? { rejectionFile: submission.rejectionFile } : {}), reading: false,
  });
  return submission;
}
