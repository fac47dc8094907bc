import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../gains/index.ts';
import { CampaignNotFound, CampaignRegistry, CampaignStateError } from '../../queue/campaigns/campaign-registry.ts';
import { campaignStatus } from '../../queue/campaigns/campaign-status.ts';
import { submitRegisteredCampaign } from '../../queue/campaigns/enqueue.ts';
import type { JobPayload } from '../../queue/campaigns/job-payload.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { dipaLines, dipaSample } from '../support/dipa-sample.ts';
import { eventually } from '../support/eventually.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';
import { testSecret } from '../support/secret.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
const closing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closing.length > 0) await closing.pop()!();
});
afterAll(async () => {
  await redis?.close();
});

/** A fresh deployment: queue, ledger and registry on their own prefix. */
const deployment = () => {
  const prefix = redis.prefix();
  const queue = new Queue<JobPayload>(dipaPayment.id, { connection: redis.server.connection, prefix });
  closing.push(() => queue.close());
  const ledger = new Ledger(redis.client, { prefix });
  const registry = new CampaignRegistry(redis.client, { prefix });
  const submit = async (rows: number, more: { notBefore?: Date; file?: string; priority?: number } = {}) =>
    submitRegisteredCampaign({ secret: testSecret, queue, ledger, registry, scenario: dipaPayment, file: more.file ?? await dipaSample('campagne.csv', rows), caisse: 'CPAM Lille-Douai', machine: 'poste-591', ...more });
  return { prefix, queue, ledger, registry, submit };
};

type Outcome = 'done' | 'rejected' | 'failed' | 'later' | 'hold';

/**
 * A real BullMQ worker that keeps the workers' contract with the registry (as
 * DossierWorker does): a paused campaign's dossier is parked, a cancelled one's
 * dropped; otherwise each row ends as the test says, recorded in the ledger.
 */
function startWorker(d: ReturnType<typeof deployment>, outcomeOf: (rowNumber: number) => Outcome = () => 'done') {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const record = (job: Job<JobPayload>, status: 'done' | 'rejected' | 'failed', more: { reference?: string; reason?: string }) =>
    d.ledger.record({
      campaignId: job.data.campaignId, scenarioId: job.data.scenarioId, scenarioVersion: job.data.scenarioVersion, caisse: job.data.caisse, machine: 'robot-1',
      dossierId: job.data.dossierId, rowNumber: job.data.rowNumber, status, ...more, manualMinutesSaved: status === 'done' ? 6 : 0, robotMs: 5, attempts: 1,
      finishedAt: new Date().toISOString(),
    });
  const worker = new Worker<JobPayload>(
    dipaPayment.id,
    async (job, token) => {
      const state = await d.registry.stateOf(job.data.campaignId);
      if (state === 'cancelled') return { status: 'cancelled' };
      if (state === 'paused') {
        await job.moveToDelayed(Date.now() + 60_000, token);
        throw new DelayedError('campaign paused');
      }
      await d.registry.markStarted(job.data.campaignId, new Date());
      switch (outcomeOf(job.data.rowNumber)) {
        case 'done':
          await record(job, 'done', { reference: `PRG-${job.data.rowNumber}` });
          return { status: 'done' };
        case 'rejected':
          await record(job, 'rejected', { reason: "le PS n'est pas conventionné" });
          return { status: 'rejected', reason: "le PS n'est pas conventionné" };
        case 'failed':
          await job.log('evidence: /var/proweb/evidence/row-5.png');
          await record(job, 'failed', { reason: 'Progrès ne répond pas' });
          throw new UnrecoverableError('Progrès ne répond pas');
        case 'later':
          // Waiting for the back office's capacity, or a retry's backoff.
          await job.moveToDelayed(Date.now() + 3600_000, token);
          throw new DelayedError('back office at capacity');
        case 'hold':
          await held;
          await record(job, 'done', { reference: `PRG-${job.data.rowNumber}` });
          return { status: 'done' };
      }
    },
    { connection: redis.server.connection, prefix: d.prefix, concurrency: 1 },
  );
  closing.push(() => worker.close());
  return { worker, release };
}

describe('the campaign registry (real Redis and BullMQ)', () => {
  it('keeps what was submitted: file, counts, machine, and the id of every job', async () => {
    const d = deployment();
    const submission = await d.submit(3);
    const campaign = await d.registry.get(submission.campaignId);
    expect(campaign).toMatchObject({
      id: submission.campaignId, scenarioId: 'dipa-payment', scenarioVersion: dipaPayment.version, caisse: 'CPAM Lille-Douai', machine: 'poste-591',
      file: expect.stringMatching(/\/campagne\.csv$/), rows: 3, invalidRows: 0, alreadyDone: 0, queued: 3, alreadyQueued: 0, state: 'active',
    });
    expect(campaign.reading).toBeUndefined();
    const ids: string[] = [];
    for await (const batch of d.registry.jobIds(submission.campaignId)) ids.push(...batch);
    expect(ids.sort()).toEqual([...submission.jobIds].sort());
    expect((await d.registry.list()).map((c) => c.id)).toEqual([submission.campaignId]);
  });

  it('refuses an unknown campaign with an error that points to the list', async () => {
    const d = deployment();
    const error = await d.registry.get('2020-01-01-deadbeef').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CampaignNotFound);
    expect((error as CampaignNotFound).hint).toContain('proweb campaign list');
    await expect(d.registry.pause('2020-01-01-deadbeef')).rejects.toBeInstanceOf(CampaignNotFound);
    expect(await d.registry.stateOf('2020-01-01-deadbeef')).toBeUndefined();
  });

  it('parks the dossiers a worker takes while the campaign is paused, and puts them back in the queue on resume', async () => {
    const d = deployment();
    const { campaignId } = await d.submit(3);
    expect((await d.registry.pause(campaignId)).state).toBe('paused');
    const { worker } = startWorker(d);
    await eventually(async () => (await d.registry.jobStates(campaignId, d.queue)).delayed.paused === 3, 'the three dossiers parked');
    await worker.close();
    expect(await d.ledger.campaignCounts(campaignId)).toEqual({ done: 0, rejected: 0, failed: 0 });
    expect((await campaignStatus({ registry: d.registry, queue: d.queue, ledger: d.ledger, campaignId })).noEstimate).toBe('paused');

    const { campaign, promoted } = await d.registry.resume(campaignId, d.queue);
    expect(campaign.state).toBe('active');
    expect(promoted).toBe(3);
    expect(await d.registry.jobStates(campaignId, d.queue)).toMatchObject({ waiting: 3, delayed: { notBefore: 0, paused: 0, retrying: 0 } });
    expect(await d.queue.getJobCountByTypes('waiting', 'prioritized')).toBe(3);
  });

  it('leaves delayed on resume the dossiers whose not-before time is still ahead', async () => {
    const d = deployment();
    const { campaignId } = await d.submit(2, { notBefore: new Date(Date.now() + 3600_000) });
    await d.registry.pause(campaignId);
    const { promoted } = await d.registry.resume(campaignId, d.queue);
    expect(promoted).toBe(0);
    expect(await d.registry.jobStates(campaignId, d.queue)).toMatchObject({ waiting: 0, delayed: { notBefore: 2, paused: 0, retrying: 0 } });
  });

  it('cancels: removes the queued dossiers and counts them, lets the running one finish, and stays cancelled', async () => {
    const d = deployment();
    const { campaignId } = await d.submit(5);
    const { release } = startWorker(d, (row) => (row === 2 ? 'hold' : 'done'));
    await eventually(async () => (await d.registry.jobStates(campaignId, d.queue)).active === 1, 'the first dossier running');

    const { campaign, cancelled, stillRunning } = await d.registry.cancel(campaignId, d.queue);
    expect(campaign).toMatchObject({ state: 'cancelled', cancelled: 4 });
    expect({ cancelled, stillRunning }).toEqual({ cancelled: 4, stillRunning: 1 });
    expect(await d.queue.getJobCountByTypes('waiting', 'prioritized')).toBe(0);
    release();
    await eventually(async () => (await d.ledger.campaignCounts(campaignId)).done === 1, 'the running dossier done');
    const status = await campaignStatus({ registry: d.registry, queue: d.queue, ledger: d.ledger, campaignId });
    expect(status).toMatchObject({ state: 'cancelled', remaining: 0, counts: { done: 1, cancelled: 4, waiting: 0, active: 0 } });
    await expect(d.registry.resume(campaignId, d.queue)).rejects.toBeInstanceOf(CampaignStateError);
    await expect(d.registry.pause(campaignId)).rejects.toBeInstanceOf(CampaignStateError);
  });

  it('leaves the other campaigns’ queued dossiers in place, in their order, when one is cancelled', async () => {
    const d = deployment();
    const lines = await dipaLines();
    const before = await d.submit(0, { file: await dipaSample('avant.csv', 0, lines.slice(10, 13)) });
    const cancelled = await d.submit(4);
    const after = await d.submit(0, { file: await dipaSample('apres.csv', 0, lines.slice(20, 23)) });
    const others = new Set([...before.jobIds, ...after.jobIds]);
    const order = (await d.queue.getJobs(['waiting', 'prioritized'], 0, -1, true)).map((j) => j.id!).filter((id) => others.has(id));

    expect((await d.registry.cancel(cancelled.campaignId, d.queue)).cancelled).toBe(4);
    expect((await d.queue.getJobs(['waiting', 'prioritized'], 0, -1, true)).map((j) => j.id!)).toEqual(order);
    expect(await d.queue.getDelayedCount()).toBe(0);
    expect(await d.registry.jobStates(before.campaignId, d.queue)).toMatchObject({ waiting: 3 });
    expect(await d.registry.jobStates(after.campaignId, d.queue)).toMatchObject({ waiting: 3 });
  });

  it('cancels a campaign queued behind a newer one, its prioritized, listed and not-before dossiers, and leaves the others queued in order', async () => {
    const d = deployment();
    const lines = await dipaLines();
    const older = await d.submit(4);
    const newer = await d.submit(0, { file: await dipaSample('recente.csv', 0, lines.slice(10, 14)) });
    const urgent = await d.submit(0, { file: await dipaSample('urgente.csv', 0, lines.slice(20, 22)), priority: 1 });
    const later = await d.submit(0, { file: await dipaSample('plus-tard.csv', 0, lines.slice(30, 32)), notBefore: new Date(Date.now() + 3600_000) });
    // Jobs without a priority sit in BullMQ's wait list (a job added by hand, or by an older release): one of each campaign, interleaved.
    for (const id of [older.jobIds[0]!, newer.jobIds[0]!, older.jobIds[1]!, newer.jobIds[1]!]) {
      const job = (await d.queue.getJob(id))!;
      await job.remove();
      await d.queue.add(dipaPayment.id, job.data, { jobId: id });
    }
    const listed = await d.queue.getJobs(['wait']);
    expect(listed.map((j) => j.id)).toEqual([newer.jobIds[1], older.jobIds[1], newer.jobIds[0], older.jobIds[0]]);

    expect((await d.registry.cancel(older.campaignId, d.queue)).cancelled).toBe(4);
    expect((await d.registry.cancel(urgent.campaignId, d.queue)).cancelled).toBe(2);
    expect((await d.registry.cancel(later.campaignId, d.queue)).cancelled).toBe(2);
    expect(await d.queue.getJobCounts('wait', 'prioritized', 'delayed')).toEqual({ wait: 2, prioritized: 2, delayed: 0 });
    expect((await d.queue.getJobs(['wait'])).map((j) => j.id)).toEqual([newer.jobIds[1], newer.jobIds[0]]);
    for (const gone of [...older.jobIds, ...urgent.jobIds, ...later.jobIds]) expect(await d.queue.getJob(gone)).toBeUndefined();
    expect(await d.registry.jobStates(newer.campaignId, d.queue)).toMatchObject({ total: 4, waiting: 4 });
    expect(await d.registry.jobStates(older.campaignId, d.queue)).toMatchObject({ total: 4, waiting: 0, ended: 4 });
    expect(await d.registry.get(later.campaignId)).toMatchObject({ state: 'cancelled', cancelled: 2 });
  });

  it('counts as cancelled a dossier queued after the cancellation that a worker dropped', async () => {
    const d = deployment();
    const { campaignId, jobIds } = await d.submit(2);
    const late = (await d.queue.getJob(jobIds[1]!))!;
    await d.registry.cancel(campaignId, d.queue);
    // A batch of a file still being read elsewhere, added after the cancellation swept the queue.
    await d.queue.add(dipaPayment.id, late.data, { jobId: late.id! });
    startWorker(d);
    const status = await eventually(async () => {
      const s = await campaignStatus({ registry: d.registry, queue: d.queue, ledger: d.ledger, campaignId });
      return s.counts.cancelled === 3 ? s : undefined;
    }, 'the late dossier dropped');
    expect(status).toMatchObject({ state: 'cancelled', remaining: 0, counts: { done: 0, cancelled: 3 } });
    expect(await d.ledger.campaignCounts(campaignId)).toEqual({ done: 0, rejected: 0, failed: 0 });
  });

  it('counts a campaign’s dossiers in every state: waiting, delayed, active, done, rejected, failed', async () => {
    const d = deployment();
    const { campaignId } = await d.submit(8);
    const before = await campaignStatus({ registry: d.registry, queue: d.queue, ledger: d.ledger, campaignId });
    expect(before).toMatchObject({ state: 'active', remaining: 8, counts: { waiting: 8 }, noEstimate: 'no-dossier-ended' });

    const plan: Record<number, Outcome> = { 2: 'done', 3: 'done', 4: 'rejected', 5: 'failed', 6: 'later', 7: 'hold' };
    const { release } = startWorker(d, (row) => plan[row] ?? 'done');
    const states = await eventually(async () => {
      const s = await d.registry.jobStates(campaignId, d.queue);
      return s.active === 1 && s.ended === 4 && s.delayed.retrying === 1 ? s : undefined;
    }, 'rows 2-6 ended or delayed and row 7 running');
    expect(states).toEqual({ total: 8, waiting: 2, delayed: { notBefore: 0, paused: 0, retrying: 1 }, active: 1, ended: 4, discarded: 0 });

    const status = await campaignStatus({ registry: d.registry, queue: d.queue, ledger: d.ledger, campaignId });
    expect(status).toMatchObject({
      state: 'active', remaining: 4, ended: 4,
      counts: { waiting: 2, delayed: { retrying: 1 }, active: 1, done: 2, rejected: 1, failed: 1, cancelled: 0 },
    });
    expect(status.campaign.startedAt).toBeDefined();
    expect(status.ratePerHour).toBeGreaterThan(0);
    expect(Date.parse(status.estimatedEnd!)).toBeGreaterThan(Date.now() - 1000);
    release();
  });

  it('says finished once nothing is left to run', async () => {
    const d = deployment();
    const { campaignId } = await d.submit(3);
    startWorker(d, (row) => (row === 3 ? 'rejected' : 'done'));
    const status = await eventually(async () => {
      const s = await campaignStatus({ registry: d.registry, queue: d.queue, ledger: d.ledger, campaignId });
      return s.state === 'finished' ? s : undefined;
    }, 'the campaign finished');
    expect(status).toMatchObject({ remaining: 0, ended: 3, counts: { done: 2, rejected: 1 }, noEstimate: 'finished' });
  });

  it('does not count nor cancel a dossier that a later campaign took over (same dossier, same job id)', async () => {
    const d = deployment();
    const first = await d.submit(1);
    const { worker } = startWorker(d, () => 'rejected');
    await eventually(async () => (await d.ledger.campaignCounts(first.campaignId)).rejected === 1, 'the dossier rejected');
    await worker.close();
    // The corrected file is submitted again: the rejected dossier's job is replaced by the new campaign's.
    const second = await d.submit(1);
    expect(second.jobIds).toEqual(first.jobIds);

    const { cancelled } = await d.registry.cancel(first.campaignId, d.queue);
    expect(cancelled).toBe(0);
    expect(await d.registry.jobStates(first.campaignId, d.queue)).toMatchObject({ waiting: 0, ended: 1 });
    expect(await d.registry.jobStates(second.campaignId, d.queue)).toMatchObject({ waiting: 1 });
  });
});
