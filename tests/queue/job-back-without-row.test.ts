import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { Ledger, type LedgerEntry } from '../../gains/index.ts';
import { CampaignRegistry } from '../../queue/campaigns/campaign-registry.ts';
import { dossierIdFor, jobIdFor } from '../../queue/campaigns/dossier-id.ts';
import type { JobFields } from '../../queue/campaigns/job-payload.ts';
import { DOSSIER_JOB_OPTIONS } from '../../queue/queue-options.ts';
import { DossierWorker, type DossierFinished, type JobRefusal } from '../../queue/fleet/worker.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { useE2e } from '../support/e2e.ts';
import { eventually } from '../support/eventually.ts';
import { entriesOf } from '../support/ledger.ts';
import { testSecret } from '../support/secret.ts';
import { registerKnownCampaign } from '../support/known-campaign.ts';

/**
 * A Redis failover between the removal of an ended job's row and its completion brings the job
 * back without its row. Its dossier rejected or failed for good in the ledger, the job ends as
 * recorded (completed as rejected, failed for good), nothing run, entered nor recorded again,
 * instead of being refused as a job this deployment did not seal.
 */
const e2e = useE2e({ robot: { concurrency: 2 } });

const CAISSE = 'CPAM Lille-Douai';
const CAMPAIGN = '2026-12-03-failover';

describe('a job back without its row after a failover', () => {
  it('ends as the ledger recorded its dossier: rejected completes as rejected, failed fails for good, neither is refused', async () => {
    const { redis, robot, backOffice } = e2e;
    const prefix = redis.prefix();
    const connection = redis.server.connection;
    const ledger = new Ledger(redis.client, { prefix });
    const registry = new CampaignRegistry(redis.client, { prefix });
    await registerKnownCampaign(registry, CAMPAIGN, 3);
    const fields = (rowNumber: number): JobFields => ({
      campaignId: CAMPAIGN, scenarioId: dipaPayment.id, scenarioVersion: dipaPayment.version, caisse: CAISSE, file: 'dipa.csv', rowNumber,
      dossierId: dossierIdFor(dipaPayment.id, `row-${rowNumber}`, testSecret),
    });
    const [rejected, failed, unknown] = [fields(2), fields(3), fields(4)];
    const entry = (f: JobFields, status: 'rejected' | 'failed', reason: string): LedgerEntry => ({
      campaignId: CAMPAIGN, scenarioId: f.scenarioId, scenarioVersion: f.scenarioVersion, caisse: CAISSE, machine: 'm0', dossierId: f.dossierId,
      rowNumber: f.rowNumber, status, reason, manualMinutesSaved: 0, robotMs: 1, attempts: 1, finishedAt: new Date().toISOString(),
    });
    await ledger.record(entry(rejected, 'rejected', 'PS non conventionné'));
    await ledger.record(entry(failed, 'failed', 'écran changé'));

    const queue = new Queue(dipaPayment.id, { connection, prefix });
    // The jobs as the worker leaves an ended dossier's: fields kept, row removed.
    const back = await Promise.all([rejected, failed, unknown].map((f) => queue.add(dipaPayment.id, f as never, { ...DOSSIER_JOB_OPTIONS, jobId: jobIdFor(dipaPayment.id, f.dossierId) })));
    const worker = new DossierWorker({ secret: testSecret, connection, prefix, robot, ledger, scenarios: [dipaPayment], machine: 'm1', campaigns: registry });
    const finished: DossierFinished[] = [];
    const refusals: JobRefusal[] = [];
    worker.on('finished', (f) => finished.push(f));
    worker.on('refused', (r) => refusals.push(r));
    try {
      await worker.waitUntilReady();
      await eventually(async () => (await Promise.all(back.map((j) => queue.getJobState(j.id!)))).every((s) => s === 'completed' || s === 'failed'), 'the three jobs ended');
      const [r, f, u] = await Promise.all(back.map((j) => queue.getJob(j.id!)));
      expect(await r!.getState()).toBe('completed');
      expect(r!.returnvalue).toMatchObject({ status: 'rejected', reason: 'PS non conventionné' });
      expect(await f!.getState()).toBe('failed');
      expect(f!.failedReason).toBe('écran changé');
      expect(f!.attemptsMade, 'failed for good, not retried').toBe(1);
      // Its dossier unknown to the ledger: a job without its row is still refused.
      expect(u!.failedReason).toMatch(/refused, not run: it carries no sealed input row/);
      expect(refusals.map((x) => x.jobId)).toEqual([u!.id]);
      expect(finished.map((x) => [x.rowNumber, x.status, x.alreadyRecorded]).sort()).toEqual([[2, 'rejected', true], [3, 'failed', true]]);
      expect(backOffice.state.payments).toHaveLength(0);
      expect((await entriesOf(ledger)).map((e) => e.status), 'nothing recorded again').toEqual(['rejected', 'failed']);
      expect(await ledger.campaignCounts(CAMPAIGN)).toEqual({ done: 0, rejected: 1, failed: 1 });
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});
