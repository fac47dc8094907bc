import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { DeploymentSecret } from '../../core/secret.ts';
import { Ledger } from '../../gains/index.ts';
import { CampaignRegistry } from '../../queue/campaigns/campaign-registry.ts';
import { submitRegisteredCampaign } from '../../queue/campaigns/enqueue.ts';
import type { JobPayload } from '../../queue/campaigns/job-payload.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { dipaSample } from './dipa-sample.ts';
import { eventually } from './eventually.ts';
import type { TestRedis } from './redis.ts';

/** How the stand-in worker ends one row: a failed row's reason is also its job's error. */
export type RowEnd = { status: 'done'; reference: string } | { status: 'rejected'; reason: string } | { status: 'failed'; reason: string; evidence?: string };

/**
 * Submits `rows` rows of dipa-50.csv (then `extra` lines) on a fresh prefix and lets a plain
 * BullMQ worker end each as `end` says, recorded in the ledger unless a dry run: the campaign's
 * jobs and entries as the robot leaves them, without a browser.
 */
export async function endedCampaign(redis: TestRedis, options: { secret: DeploymentSecret; rows: number; end: (rowNumber: number) => RowEnd; dryRun?: boolean; extra?: string[] }) {
  const prefix = redis.prefix();
  const queue = new Queue<JobPayload>(dipaPayment.id, { connection: redis.server.connection, prefix });
  const ledger = new Ledger(redis.client, { prefix });
  const registry = new CampaignRegistry(redis.client, { prefix });
  const file = await dipaSample('campagne.csv', options.rows, options.extra);
  const total = options.rows + (options.extra?.length ?? 0);
  const submission = await submitRegisteredCampaign({ queue, ledger, registry, scenario: dipaPayment, file, caisse: 'CPAM du Rhône', secret: options.secret, ...(options.dryRun ? { dryRun: true } : {}) });
  const worker = new Worker<JobPayload>(dipaPayment.id, async (job) => {
    const d = job.data;
    const end = options.end(d.rowNumber);
    if (!d.dryRun) {
      await ledger.record({
        campaignId: d.campaignId, scenarioId: d.scenarioId, scenarioVersion: d.scenarioVersion, caisse: d.caisse, machine: 'robot-1', dossierId: d.dossierId,
        rowNumber: d.rowNumber, status: end.status, ...(end.status === 'done' ? { reference: end.reference } : { reason: end.reason }),
        manualMinutesSaved: 0, robotMs: 1, attempts: 1, finishedAt: new Date().toISOString(),
      });
    }
    if (end.status === 'failed') {
      if (end.evidence) await job.log(`evidence: ${end.evidence}`);
      throw new UnrecoverableError(end.reason);
    }
    return end;
  }, { connection: redis.server.connection, prefix, concurrency: 1 });
  await eventually(async () => (await queue.getCompletedCount()) + (await queue.getFailedCount()) === total, 'every dossier ended');
  await worker.close();
  const campaign = await registry.get(submission.campaignId);
  return { prefix, queue, ledger, registry, campaign, file, close: () => queue.close() };
}
