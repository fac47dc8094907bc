import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../gains/index.ts';
import { dossierIdFor, jobIdFor } from '../../queue/dossier-id.ts';
import type { JobPayload } from '../../queue/job-payload.ts';
import { DOSSIER_JOB_OPTIONS } from '../../queue/queue-options.ts';
import { DossierWorker, type DossierFinished } from '../../queue/worker.ts';
import { Robot } from '../../runner/index.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';
import { entriesOf } from '../support/ledger.ts';

let redis: TestRedis;
let robot: Robot;
beforeAll(async () => {
  redis = await startTestRedis();
  // No back office behind this address: any dossier that reached the browser would fail.
  robot = await Robot.launch({ applications: { progres: { baseUrl: 'http://127.0.0.1:9', username: 'u', password: 'p' } }, defaultTimeoutMs: 1_000 });
});
afterAll(async () => {
  await robot?.close();
  await redis?.close();
});

const payload = (over: Partial<JobPayload> = {}): JobPayload => ({
  campaignId: 'c1', scenarioId: 'dipa-payment', scenarioVersion: '1.0.0', caisse: 'CPAM Lille-Douai', file: 'f.csv', rowNumber: 7,
  dossierId: dossierIdFor('dipa-payment', '591000005|P1'), raw: { numero_ps: '591000005' }, ...over,
});

const start = (prefix: string) => {
  const ledger = new Ledger(redis.client, { prefix });
  const queue = new Queue(dipaPayment.id, { connection: redis.server.connection, prefix });
  const worker = new DossierWorker({ connection: redis.server.connection, prefix, robot, ledger, scenarios: [dipaPayment], machine: 'm1' });
  const next = () => new Promise<DossierFinished>((resolve) => worker.once('finished', resolve));
  return { ledger, queue, worker, next };
};


describe('the dossier worker (real Redis and BullMQ)', () => {
  it('finishes a dossier the ledger already has done without opening the browser', async () => {
    const { ledger, queue, worker, next } = start(redis.prefix());
    const data = payload();
    await ledger.record({ campaignId: 'c0', scenarioId: 'dipa-payment', scenarioVersion: '1.0.0', caisse: 'x', machine: 'm0', dossierId: data.dossierId, status: 'done', reference: 'PRG-2020-000042', manualMinutesSaved: 6, robotMs: 1, attempts: 1, finishedAt: new Date().toISOString() });
    const finished = next();
    await queue.add(dipaPayment.id, data, { ...DOSSIER_JOB_OPTIONS, jobId: jobIdFor(dipaPayment.id, data.dossierId) });
    expect(await finished).toMatchObject({ status: 'done', reference: 'PRG-2020-000042', alreadyRecorded: true, rowNumber: 7 });
    expect(await entriesOf(ledger)).toHaveLength(1);
    await worker.close();
    await queue.close();
  });

  it('fails at once, recorded once, a row the running scenario version no longer accepts', async () => {
    const { ledger, queue, worker, next } = start(redis.prefix());
    const data = payload({ raw: { numero_ps: '591000005', categorie: 'XYZ' } });
    const finished = next();
    const job = await queue.add(dipaPayment.id, data, { ...DOSSIER_JOB_OPTIONS, jobId: jobIdFor(dipaPayment.id, data.dossierId) });
    expect(await finished).toMatchObject({ status: 'failed', reason: expect.stringContaining(`row 7 is not valid for dipa-payment v${dipaPayment.version}`) });
    await worker.close();
    const state = await queue.getJob(job.id!);
    expect(await state?.getState()).toBe('failed');
    expect(state?.attemptsMade).toBe(1);
    expect((await entriesOf(ledger)).map((e) => e.status)).toEqual(['failed']);
    await queue.close();
  });
});
