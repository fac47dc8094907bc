import { readFile, rm } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../gains/index.ts';
import { collectCampaignRejects, writeCampaignRejects } from '../../queue/campaign-rejects.ts';
import { CampaignRegistry } from '../../queue/campaign-registry.ts';
import { submitRegisteredCampaign } from '../../queue/enqueue.ts';
import type { JobPayload } from '../../queue/job-payload.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { dipaSample } from '../support/dipa-sample.ts';
import { eventually } from '../support/eventually.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.close();
});

const REFUSAL = "Le professionnel n'est pas conventionné";

/** Submits `rows` rows and lets a real worker end row 2 rejected and row 3 failed (recorded in the ledger unless a dry run); the others done. */
async function campaignWithRejects(rows: number, options: { dryRun?: boolean } = {}) {
  const prefix = redis.prefix();
  const queue = new Queue<JobPayload>(dipaPayment.id, { connection: redis.server.connection, prefix });
  const ledger = new Ledger(redis.client, { prefix });
  const registry = new CampaignRegistry(redis.client, { prefix });
  const file = await dipaSample('campagne.csv', rows);
  const submission = await submitRegisteredCampaign({ queue, ledger, registry, scenario: dipaPayment, file, caisse: 'CPAM du Rhône', ...options });
  const worker = new Worker<JobPayload>(dipaPayment.id, async (job) => {
    const d = job.data;
    const status = d.rowNumber === 2 ? 'rejected' : d.rowNumber === 3 ? 'failed' : 'done';
    if (!d.dryRun) {
      await ledger.record({
        campaignId: d.campaignId, scenarioId: d.scenarioId, scenarioVersion: d.scenarioVersion, caisse: d.caisse, machine: 'robot-1', dossierId: d.dossierId,
        rowNumber: d.rowNumber, status, ...(status === 'done' ? { reference: 'PRG-1' } : { reason: status === 'rejected' ? REFUSAL : 'écran changé' }),
        manualMinutesSaved: 0, robotMs: 1, attempts: 1, finishedAt: new Date().toISOString(),
      });
    }
    if (status === 'failed') throw new UnrecoverableError('écran changé');
    return status === 'rejected' ? { status, reason: REFUSAL } : { status, reference: 'PRG-1' };
  }, { connection: redis.server.connection, prefix, concurrency: 1 });
  await eventually(async () => (await queue.getCompletedCount()) + (await queue.getFailedCount()) === rows, 'every dossier ended');
  await worker.close();
  const campaign = await registry.get(submission.campaignId);
  return { queue, ledger, registry, campaign, file, close: () => queue.close() };
}

describe('the work list of a campaign', () => {
  it('lists the rejected and failed dossiers of a dry run from its jobs, the ledger having nothing', async () => {
    const c = await campaignWithRejects(4, { dryRun: true });
    const rejects = await collectCampaignRejects(c);
    expect(rejects.map((r) => [r.rowNumber, r.status, r.reason])).toEqual([[2, 'rejected', REFUSAL], [3, 'failed', 'écran changé']]);
    expect(rejects[0]!.raw?.numero_demande).toBe('DIPA-2020-000001');
    await c.close();
  });

  it('keeps the row number and reason of a dossier whose job and input file are both gone', async () => {
    const c = await campaignWithRejects(3);
    for (const job of await c.queue.getJobs(['completed', 'failed'])) await c.queue.remove(job.id!);
    await rm(c.file);
    const rejects = await collectCampaignRejects(c);
    expect(rejects.map((r) => [r.rowNumber, r.status, r.raw])).toEqual([[2, 'rejected', undefined], [3, 'failed', undefined]]);
    const out = join(dirname(c.file), 'travail.csv');
    expect(await writeCampaignRejects(out, rejects)).toEqual({ path: out, rows: 2 });
    expect(await readFile(out, 'utf8')).toBe(`\ufeffligne;statut;motif;preuves\r\n2;rejeté;${REFUSAL};\r\n3;échec;écran changé;\r\n`);
    await c.close();
  });

  it('keeps cells that start like a formula as text, so that opening the work list in Excel runs nothing', async () => {
    const out = join(dirname(await dipaSample('x.csv', 1)), 'formules.csv');
    await writeCampaignRejects(out, [{ rowNumber: 4, status: 'failed', reason: '@SUM(A1)', dossierId: 'd', raw: { nom: '=HYPERLINK("http://x")', montant: '-12,50' }, evidence: [] }]);
    expect(await readFile(out, 'utf8')).toBe(`\ufeffnom;montant;ligne;statut;motif;preuves\r\n"'=HYPERLINK(""http://x"")";-12,50;4;échec;'@SUM(A1);\r\n`);
  });

  it('quotes a reason holding the separator or quotes, as Excel reads it back', async () => {
    const out = join(dirname(await dipaSample('x.csv', 1)), 'guillemets.csv');
    await writeCampaignRejects(out, [{ rowNumber: 9, status: 'rejected', reason: 'refus; motif "B12"', dossierId: 'd', raw: { nom: 'DURAND; Paul' }, evidence: [] }]);
    expect(await readFile(out, 'utf8')).toBe('\ufeffnom;ligne;statut;motif;preuves\r\n"DURAND; Paul";9;rejeté;"refus; motif ""B12""";\r\n');
  });
});
