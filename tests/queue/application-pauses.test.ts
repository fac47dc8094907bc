import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER, startBackOffice, type BackOffice } from '../../fixtures/backoffice/index.ts';
import { Ledger } from '../../gains/index.ts';
import { ApplicationPauses } from '../../queue/fleet/application-pauses.ts';
import { submitCampaign } from '../../queue/campaigns/campaign.ts';
import { CampaignRegistry } from '../../queue/campaigns/campaign-registry.ts';
import { submitRegisteredCampaign } from '../../queue/campaigns/enqueue.ts';
import { DossierWorker, type DossierFinished } from '../../queue/fleet/worker.ts';
import { Robot } from '../../runner/index.ts';
import { dipaPayment, type DipaRow } from '../../scenarios/dipa-payment.ts';
import { deriveScenario } from '../support/derive-scenario.ts';
import { dipaFile, requestRows } from '../support/dipa.ts';
import { eventually } from '../support/eventually.ts';
import { entriesOf } from '../support/ledger.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';
import { testSecret } from '../support/secret.ts';

/** A refused login pauses the application for the fleet; on real Redis, BullMQ, Chromium and HTTP. */
let redis: TestRedis;
let backOffice: BackOffice;
let evidenceDir: string;
beforeAll(async () => {
  redis = await startTestRedis();
  backOffice = await startBackOffice({ port: 0 });
  evidenceDir = await mkdtemp(join(tmpdir(), 'proweb-pauses-'));
});
const closing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closing.length > 0) await closing.pop()!();
  backOffice.state.reset();
});
afterAll(async () => {
  await backOffice?.close();
  await redis?.close();
  await rm(evidenceDir, { recursive: true, force: true });
});

const failedLogins = () => backOffice.state.loginAttempts.filter((a) => a.application === 'progres' && !a.ok).length;

async function robotWith(password: string): Promise<Robot> {
  const robot = await Robot.launch({ applications: { progres: { baseUrl: backOffice.url, username: DEFAULT_USER.username, password } }, concurrency: 2, evidenceDir, defaultTimeoutMs: 5_000 });
  closing.push(() => robot.close());
  return robot;
}

function deployment() {
  const prefix = redis.prefix();
  const connection = redis.server.connection;
  const ledger = new Ledger(redis.client, { prefix });
  const registry = new CampaignRegistry(redis.client, { prefix });
  const pauses = new ApplicationPauses(redis.client, { prefix });
  const queue = new Queue(dipaPayment.id, { connection, prefix });
  closing.push(() => queue.close());
  const startWorker = (robot: Robot, machine: string) => {
    const worker = new DossierWorker({ secret: testSecret, connection, prefix, robot, ledger, scenarios: [dipaPayment], machine, campaigns: registry, applicationPauses: pauses });
    const finished: DossierFinished[] = [];
    worker.on('finished', (f) => finished.push(f));
    closing.push(() => worker.close());
    return { worker, finished };
  };
  /** A campaign of `rows` requests, after the first `skip`. */
  const submit = async (rows: number, skip = 0) =>
    submitRegisteredCampaign({ secret: testSecret, queue, ledger, registry, scenario: dipaPayment, file: await dipaFile('pauses.csv', requestRows(backOffice, (p) => p.conventioned, skip + rows).slice(skip)), caisse: 'CPAM Lille-Douai' });
  return { prefix, ledger, registry, pauses, queue, startWorker, submit };
}

describe('a refused login on a worker', () => {
  it('pauses the application for the fleet and parks its dossiers (delayed, not failed); resuming wakes them once the credentials are fixed', async () => {
    const d = deployment();
    const wrong = d.startWorker(await robotWith('wrong-password'), 'robot-a');
    const paused = once(wrong.worker, 'applicationPaused');
    const submission = await d.submit(4);

    const [event] = await paused;
    expect(event).toMatchObject({ applicationId: 'progres', reason: 'Identifiant ou mot de passe incorrect.', machine: 'robot-a', username: DEFAULT_USER.username, first: true });
    await eventually(async () => (await d.queue.getJobCountByTypes('delayed')) === 4, 'the 4 dossiers parked', 60_000);
    expect(failedLogins()).toBe(1);
    expect(await d.queue.getJobCountByTypes('failed')).toBe(0);
    expect(wrong.finished).toEqual([]);
    expect(await entriesOf(d.ledger)).toEqual([]);
    // No attempt was spent: the dossiers keep all their retries for real technical failures.
    for (const job of await d.queue.getJobs(['delayed'])) expect(job.attemptsMade).toBe(0);
    expect(await d.pauses.list()).toEqual([expect.objectContaining({ applicationId: 'progres', machine: 'robot-a', username: DEFAULT_USER.username })]);

    // Another machine with the same wrong password does not even try: the pause parks the dossiers it takes.
    await wrong.worker.close();
    const otherRobot = await robotWith('wrong-password');
    const other = d.startWorker(otherRobot, 'robot-b');
    const later = await d.submit(2, 4);
    await eventually(async () => (await d.queue.getJobCountByTypes('delayed')) === 6, 'the 2 later dossiers parked too', 60_000);
    expect(failedLogins()).toBe(1);
    expect(otherRobot.loginRefusals).toEqual([]);

    // The operator fixes the credentials (machines restarted with the right password), then resumes.
    await other.worker.close();
    const fixed = d.startWorker(await robotWith(DEFAULT_USER.password), 'robot-c');
    await fixed.worker.waitUntilReady();
    const { pause, promoted } = await d.pauses.resume('progres', () => d.queue);
    expect(pause).toMatchObject({ applicationId: 'progres', machine: 'robot-a' });
    expect(promoted).toBe(6);
    await eventually(async () => (await d.ledger.campaignCounts(submission.campaignId)).done === 4, 'the 4 dossiers done', 60_000);
    await eventually(async () => (await d.ledger.campaignCounts(later.campaignId)).done === 2, 'the 2 later dossiers done', 60_000);
    expect(await d.pauses.list()).toEqual([]);
    expect(failedLogins()).toBe(1);
    const keys = backOffice.state.payments.map((p) => `${p.ps}|${p.period}`);
    expect(keys).toHaveLength(6);
    expect(new Set(keys).size).toBe(6);
  }, 120_000);

  it('after a resume with the credentials still wrong, tries once more and pauses again', async () => {
    const d = deployment();
    const wrong = d.startWorker(await robotWith('wrong-password'), 'robot-a');
    const firstPause = once(wrong.worker, 'applicationPaused');
    await d.submit(2);
    await firstPause;
    await eventually(async () => (await d.queue.getJobCountByTypes('delayed')) === 2, 'the 2 dossiers parked', 60_000);

    const secondPause = once(wrong.worker, 'applicationPaused');
    await d.pauses.resume('progres', () => d.queue);
    const [event] = await secondPause;
    expect(event).toMatchObject({ applicationId: 'progres', first: true });
    await eventually(async () => (await d.queue.getJobCountByTypes('delayed')) === 2, 'the 2 dossiers parked again', 60_000);
    // The robot forgot its refusal when it saw the pause gone, tried once, and was refused once.
    expect(failedLogins()).toBe(2);
    expect(await d.queue.getJobCountByTypes('failed')).toBe(0);
  }, 120_000);

  it('keeps the first machine\'s account of a pause: a second refusal elsewhere does not overwrite it', async () => {
    const pauses = new ApplicationPauses(redis.client, { prefix: redis.prefix() });
    const first = await pauses.pause('progres', { reason: 'Compte verrouillé.', machine: 'robot-a', username: 'robot.dipa', at: '2026-12-03T06:00:00.000Z' });
    const second = await pauses.pause('progres', { reason: 'Identifiant ou mot de passe incorrect.', machine: 'robot-b', at: '2026-12-03T06:00:01.000Z' });
    expect(first).toMatchObject({ first: true, pause: { machine: 'robot-a', reason: 'Compte verrouillé.' } });
    expect(second).toMatchObject({ first: false, pause: { machine: 'robot-a', reason: 'Compte verrouillé.', username: 'robot.dipa' } });
    expect((await pauses.pausedAmong(['ameli-pro', 'progres'])).map((p) => p.applicationId)).toEqual(['progres']);
    expect(await pauses.resume('ameli-pro', () => { throw new Error('nothing parked: no queue needed'); })).toEqual({ pause: undefined, promoted: 0 });
  });
});

describe('a bug in a scenario, on a worker', () => {
  it('ends the dossier failed after 1 attempt, with a message naming scenario and step: never retried as a screen that changed', async () => {
    const prefix = redis.prefix();
    const connection = redis.server.connection;
    const buggy = deriveScenario(dipaPayment, {
      id: 'dipa-typo',
      steps: (list) => list.map((s) =>
        s.action === 'fill' && s.target === 'paiement.montant' ? { ...s, value: (row: DipaRow) => (row as unknown as { montant: string }).montant.trim() } : s),
    });
    const ledger = new Ledger(redis.client, { prefix });
    const queue = new Queue(buggy.id, { connection, prefix });
    closing.push(() => queue.close());
    const worker = new DossierWorker({ secret: testSecret, connection, prefix, robot: await robotWith(DEFAULT_USER.password), ledger, scenarios: [buggy], machine: 'robot-a' });
    closing.push(() => worker.close());
    const retried: unknown[] = [];
    worker.on('retrying', (r) => retried.push(r));
    const finished = once(worker, 'finished') as Promise<[DossierFinished]>;
    const submission = await submitCampaign({ secret: testSecret, queue, ledger, scenario: buggy, file: await dipaFile('typo.csv', requestRows(backOffice, (p) => p.conventioned, 1)), caisse: 'CPAM Lille-Douai' });

    const [ended] = await finished;
    expect(ended.status).toBe('failed');
    expect(ended.reason).toMatch(/^dipa-typo step 6 \(fill paiement\.montant .*\): bug in the scenario: TypeError: /);
    expect(retried).toEqual([]);
    // The ledger is written before BullMQ moves the job: wait for the move.
    const jobId = submission.jobIds[0]!;
    await eventually(async () => (await queue.getJobState(jobId)) === 'failed', 'the job failed in the queue', 60_000);
    expect((await queue.getJob(jobId))?.attemptsMade).toBe(1);
    expect((await entriesOf(ledger)).map((e) => e.status)).toEqual(['failed']);
    expect(backOffice.state.payments).toHaveLength(0);
  }, 60_000);
});
