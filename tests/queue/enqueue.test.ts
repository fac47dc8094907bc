import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../gains/index.ts';
import { CampaignRegistry } from '../../queue/campaigns/campaign-registry.ts';
import { enqueueCampaign } from '../../queue/campaigns/enqueue.ts';
import { runCampaign } from '../../queue/campaigns/run-campaign.ts';
import { Robot } from '../../runner/index.ts';
import type { JobPayload } from '../../queue/campaigns/job-payload.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { dipaSample } from '../support/dipa-sample.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';
import { testSecret } from '../support/secret.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.close();
});

const deployment = () => {
  const prefix = redis.prefix();
  const ledger = new Ledger(redis.client, { prefix });
  const registry = new CampaignRegistry(redis.client, { prefix });
  const enqueue = (file: string, more: { priority?: number; notBefore?: Date; dryRun?: boolean; rejectionsFolder?: string } = {}) =>
    enqueueCampaign({ secret: testSecret, connection: redis.server.connection, prefix, ledger, registry, scenario: dipaPayment, file, caisse: 'CPAM Lille-Douai', machine: 'poste-591', ...more });
  const queue = () => new Queue<JobPayload>(dipaPayment.id, { connection: redis.server.connection, prefix });
  return { prefix, ledger, registry, enqueue, queue };
};

describe('enqueueing a campaign for the fleet (real Redis, no worker)', () => {
  it('writes the rejection file in the configured rejections folder, none next to the input', async () => {
    const d = deployment();
    const file = await dipaSample('avec-erreurs.csv', 2, ['DIPA-2020-999999;591000000;NOM;SPE;16/03/2020;30/06/2020;100,00;FR00']);
    const folder = await mkdtemp(join(tmpdir(), 'proweb-rejets-'));
    const submission = await d.enqueue(file, { rejectionsFolder: folder });
    expect(submission.invalidRows).toBe(1);
    expect(dirname(submission.rejectionFile!)).toBe(folder);
    expect(await readdir(folder)).toEqual([basename(submission.rejectionFile!)]);
    expect((await readdir(dirname(file))).filter((f) => f.includes('rejets'))).toEqual([]);
  });

  it('gives every job the campaign’s priority', async () => {
    const d = deployment();
    const submission = await d.enqueue(await dipaSample('prio.csv', 3), { priority: 7 });
    const queue = d.queue();
    expect(await queue.getPrioritizedCount()).toBe(3);
    const jobs = await Promise.all(submission.jobIds.map((id) => queue.getJob(id)));
    expect(jobs.map((j) => j?.opts.priority)).toEqual([7, 7, 7]);
    expect((await d.registry.get(submission.campaignId)).priority).toBe(7);
    await queue.close();
  });

  it('keeps the dossiers of a not-before campaign delayed until that time', async () => {
    const d = deployment();
    const notBefore = new Date(Date.now() + 6 * 3600_000);
    const submission = await d.enqueue(await dipaSample('plus-tard.csv', 2), { notBefore });
    const queue = d.queue();
    expect(await queue.getJobCountByTypes('waiting', 'prioritized')).toBe(0);
    expect(await queue.getDelayedCount()).toBe(2);
    for (const id of submission.jobIds) {
      const job = (await queue.getJob(id))!;
      expect(await job.getState()).toBe('delayed');
      // Due at the time asked, give or take the time the submission took.
      expect(Math.abs(job.timestamp + job.delay - notBefore.getTime())).toBeLessThan(5_000);
    }
    expect(await d.registry.get(submission.campaignId)).toMatchObject({ notBefore: notBefore.toISOString(), queued: 2 });
    expect(await d.registry.jobStates(submission.campaignId, queue)).toMatchObject({ delayed: { notBefore: 2, paused: 0, retrying: 0 } });
    await queue.close();
  });

  it('queues at once when the not-before time has passed', async () => {
    const d = deployment();
    await d.enqueue(await dipaSample('passe.csv', 2), { notBefore: new Date(Date.now() - 60_000) });
    const queue = d.queue();
    expect(await queue.getJobCountByTypes('waiting', 'prioritized')).toBe(2);
    expect(await queue.getDelayedCount()).toBe(0);
    await queue.close();
  });

  it('queues nothing for a file whose dossiers the ledger has all done, and the new campaign says 0 queued', async () => {
    const d = deployment();
    const file = await dipaSample('deja.csv', 3);
    const first = await d.enqueue(file);
    const queue = d.queue();
    for (const id of first.jobIds) {
      const { data } = (await queue.getJob(id))!;
      await d.ledger.record({
        campaignId: first.campaignId, scenarioId: data.scenarioId, scenarioVersion: data.scenarioVersion, caisse: data.caisse, machine: 'robot-1',
        dossierId: data.dossierId, rowNumber: data.rowNumber, status: 'done', reference: `PRG-${data.rowNumber}`, manualMinutesSaved: 6, robotMs: 5, attempts: 1,
        finishedAt: new Date().toISOString(),
      });
      await queue.remove(id);
    }
    const again = await d.enqueue(file);
    expect(again).toMatchObject({ rows: 3, alreadyDone: 3, jobIds: [] });
    expect(again.campaignId).not.toBe(first.campaignId);
    expect(await d.registry.get(again.campaignId)).toMatchObject({ rows: 3, alreadyDone: 3, queued: 0, state: 'active' });
    expect(await queue.count()).toBe(0);
    await queue.close();
  });

  it('reports the invalid rows with file, row and column, writes them next to the input, and queues the others', async () => {
    const d = deployment();
    const file = await dipaSample('erreurs.csv', 2, ['DIPA-2020-999999;591000005;DURAND Paul;XYZ;16/03/2020;30/06/2020;1000,00;FR7630006000011234567890189']);
    const submission = await d.enqueue(file);
    expect(submission).toMatchObject({ rows: 3, invalidRows: 1, rejectionFile: expect.stringMatching(/erreurs\.rejets\.csv$/) });
    expect(submission.invalid).toEqual([{ file: 'erreurs.csv', rowNumber: 4, field: 'categorie', reason: expect.stringContaining('"XYZ"') }]);
    expect(submission.jobIds).toHaveLength(2);
    expect(await d.registry.get(submission.campaignId)).toMatchObject({ rows: 3, invalidRows: 1, queued: 2, rejectionFile: submission.rejectionFile });
  });

  it('registers a one-machine run (proweb run) like an enqueued campaign', async () => {
    const d = deployment();
    // No back office behind this address: the run must not need the browser (every row is invalid).
    const robot = await Robot.launch({ applications: { progres: { baseUrl: 'http://127.0.0.1:9', username: 'u', password: 'p' } }, defaultTimeoutMs: 1_000 });
    try {
      const file = await dipaSample('seule.csv', 0, ['DIPA-2020-999999;591000005;DURAND Paul;XYZ;16/03/2020;30/06/2020;1000,00;FR7630006000011234567890189']);
      const { submission } = await runCampaign({ secret: testSecret,
        connection: redis.server.connection, prefix: d.prefix, scenario: dipaPayment, file, caisse: 'CPAM Lille-Douai', machine: 'poste-591', robot, ledger: d.ledger, registry: d.registry,
      });
      expect(await d.registry.get(submission.campaignId)).toMatchObject({ rows: 1, invalidRows: 1, queued: 0, machine: 'poste-591', state: 'active' });
    } finally {
      await robot.close();
    }
  });

  it('leaves no campaign behind when the file cannot be read', async () => {
    const d = deployment();
    await expect(d.enqueue('/nonexistent/dipa.csv')).rejects.toThrow(/nonexistent/);
    expect(await d.registry.list()).toEqual([]);
  });
});
