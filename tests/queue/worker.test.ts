import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TechnicalFailure } from '../../core/errors.ts';
import { Ledger } from '../../gains/index.ts';
import { dossierIdFor, jobIdFor } from '../../queue/campaigns/dossier-id.ts';
import { sealJobPayload, type JobFields, type RawRow } from '../../queue/campaigns/job-payload.ts';
import { DOSSIER_JOB_OPTIONS } from '../../queue/queue-options.ts';
import { DossierWorker, type DossierFinished } from '../../queue/fleet/worker.ts';
import { Robot, type DossierOutcome } from '../../runner/index.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { eventually } from '../support/eventually.ts';
import { entriesOf } from '../support/ledger.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';
import { testSecret } from '../support/secret.ts';

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

/** A valid DIPA row; its name and IBAN are declared personal, the NIR below is personal wherever it shows. */
const ROW: RawRow = {
  numero_demande: 'DIPA-2020-000417', numero_ps: '591000005', nom: 'DURAND Paulette', categorie: 'IDE',
  debut_periode: '16/03/2020', fin_periode: '30/06/2020', aide_calculee: '1000,00', iban: 'FR7630006000011234567890189',
};
const NIR = '285057800604823';
/** Every value of the row that no text of a finished job may hold. */
const INPUT_VALUES = [ROW.numero_demande!, ROW.numero_ps!, ROW.nom!, ROW.iban!, ROW.debut_periode!, ROW.fin_periode!, ROW.aide_calculee!];

const fields = (over: Partial<JobFields> = {}): JobFields => ({
  campaignId: 'c1', scenarioId: 'dipa-payment', scenarioVersion: dipaPayment.version, caisse: 'CPAM Lille-Douai', file: 'f.csv', rowNumber: 7,
  dossierId: dossierIdFor('dipa-payment', '591000005|P1', testSecret), ...over,
});

const start = (prefix: string, withRobot: Robot = robot) => {
  const ledger = new Ledger(redis.client, { prefix });
  const queue = new Queue(dipaPayment.id, { connection: redis.server.connection, prefix });
  const worker = new DossierWorker({ secret: testSecret, connection: redis.server.connection, prefix, robot: withRobot, ledger, scenarios: [dipaPayment], machine: 'm1' });
  const next = () => new Promise<DossierFinished>((resolve) => worker.once('finished', resolve));
  const add = (f: JobFields, raw: RawRow, attempts: number = DOSSIER_JOB_OPTIONS.attempts) =>
    queue.add(dipaPayment.id, sealJobPayload(f, raw, testSecret), { ...DOSSIER_JOB_OPTIONS, attempts, backoff: { type: 'fixed', delay: 10 }, jobId: jobIdFor(dipaPayment.id, f.dossierId) });
  /** Every field BullMQ keeps of the job in Redis (data, return value, failed reason, stack traces), once it has ended. */
  const storedOnceEnded = async (jobId: string) => {
    await eventually(async () => ['completed', 'failed'].includes(await queue.getJobState(jobId)), `job ${jobId} ended`);
    return JSON.stringify(await redis.client.hgetall(`${prefix}:${dipaPayment.id}:${jobId}`));
  };
  return { ledger, queue, worker, next, add, storedOnceEnded };
};

/** A stand-in robot that ends or throws as told (the worker's boundary is under test, not the browser). */
const scripted = (attempt: () => Promise<DossierOutcome>): Robot => ({ concurrency: 1, run: attempt }) as unknown as Robot;

describe('the dossier worker (real Redis and BullMQ)', () => {
  it('finishes a dossier the ledger already has done without opening the browser, and keeps no input row', async () => {
    const { ledger, queue, worker, next, add, storedOnceEnded } = start(redis.prefix());
    const data = fields();
    await ledger.record({ campaignId: 'c0', scenarioId: 'dipa-payment', scenarioVersion: '1.0.0', caisse: 'x', machine: 'm0', dossierId: data.dossierId, status: 'done', reference: 'PRG-2020-000042', manualMinutesSaved: 6, robotMs: 1, attempts: 1, finishedAt: new Date().toISOString() });
    const finished = next();
    const job = await add(data, ROW);
    expect(await finished).toMatchObject({ status: 'done', reference: 'PRG-2020-000042', alreadyRecorded: true, rowNumber: 7 });
    expect(await entriesOf(ledger)).toHaveLength(1);
    const stored = await storedOnceEnded(job.id!);
    expect(stored).not.toContain('sealedRow');
    expect(stored).toContain(data.dossierId);
    await worker.close();
    await queue.close();
  });

  it('fails at once, recorded once, a row the running scenario version no longer accepts', async () => {
    const { ledger, queue, worker, next, add } = start(redis.prefix());
    const data = fields();
    const finished = next();
    const job = await add(data, { ...ROW, categorie: 'XYZ' });
    expect(await finished).toMatchObject({ status: 'failed', reason: expect.stringContaining(`row 7 is not valid for dipa-payment v${dipaPayment.version}`) });
    await worker.close();
    const state = await queue.getJob(job.id!);
    expect(await state?.getState()).toBe('failed');
    expect(state?.attemptsMade).toBe(1);
    expect((await entriesOf(ledger)).map((e) => e.status)).toEqual(['failed']);
    expect(state?.data).not.toHaveProperty('sealedRow');
    await queue.close();
  });
});

describe('what the worker hands to BullMQ, the ledger and its events is masked', () => {
  const quoting = `the insured ${NIR} (${ROW.nom}, IBAN ${ROW.iban}) at http://bdo.local/assure/${NIR}`;

  it('a refusal quoting personal data: return value, ledger reason and event masked; no input row left in Redis', async () => {
    const { ledger, queue, worker, next, add, storedOnceEnded } = start(redis.prefix(), scripted(async () => ({ status: 'rejected', reason: `Refus : ${quoting}`, robotMs: 5 })));
    const finished = next();
    const job = await add(fields(), ROW);
    const ending = await finished;
    expect(ending.status).toBe('rejected');
    const stored = await storedOnceEnded(job.id!);
    const [entry] = await entriesOf(ledger);
    for (const text of [ending.reason!, entry!.reason!, stored]) {
      for (const value of [NIR, ...INPUT_VALUES]) expect(text).not.toContain(value);
    }
    // Masked, not emptied: the agent still reads what the back office said.
    expect(entry!.reason).toContain('Refus : the insured 2 85 ** ** *** *** 23');
    expect(stored).toContain('"returnvalue"');
    await worker.close();
    await queue.close();
  });

  it('a final error quoting personal data: failed reason, stack trace, ledger and event masked', async () => {
    const { ledger, queue, worker, next, add, storedOnceEnded } = start(redis.prefix(), scripted(async () => {
      throw new Error(`scenario bug: cannot read ${quoting}`);
    }));
    const finished = next();
    const job = await add(fields(), ROW);
    const ending = await finished;
    expect(ending.status).toBe('failed');
    const stored = await storedOnceEnded(job.id!);
    expect(stored).toContain('scenario bug: cannot read the insured 2 85 ** ** *** *** 23 (***, IBAN ');
    const [entry] = await entriesOf(ledger);
    for (const text of [ending.reason!, entry!.reason!, stored]) {
      for (const value of [NIR, ...INPUT_VALUES]) expect(text).not.toContain(value);
    }
    await worker.close();
    await queue.close();
  });

  it('a technical failure retried: every attempt\'s stack trace and the retry event masked', async () => {
    const retried: string[] = [];
    const { queue, worker, next, add, storedOnceEnded } = start(redis.prefix(), scripted(async () => {
      throw new TechnicalFailure(`navigation to http://bdo.local/assure/${NIR}?nom=${ROW.nom} failed`);
    }));
    worker.on('retrying', (r) => retried.push(`${r.error.message}\n${r.error.stack}`));
    const finished = next();
    const job = await add(fields(), ROW, 2);
    expect((await finished).status).toBe('failed');
    const stored = await storedOnceEnded(job.id!);
    expect(retried).toHaveLength(1);
    expect(JSON.parse(JSON.parse(stored).stacktrace)).toHaveLength(2);
    for (const text of [stored, ...retried]) {
      for (const value of [NIR, ...INPUT_VALUES]) expect(text).not.toContain(value);
    }
    await worker.close();
    await queue.close();
  });
});
