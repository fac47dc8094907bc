import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TechnicalFailure } from '../../core/errors.ts';
import { Ledger, summarizeGains, type LedgerEntry } from '../../gains/index.ts';
import { dossierIdFor, jobIdFor } from '../../queue/campaigns/dossier-id.ts';
import { sealJobPayload } from '../../queue/campaigns/job-payload.ts';
import { DossierWorker, type DossierFinished } from '../../queue/fleet/worker.ts';
import type { CommitGate, DossierOutcome, Robot } from '../../runner/index.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import type { Scenario } from '../../scenarios/dsl/index.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';
import { testSecret } from '../support/secret.ts';

/**
 * The ledger under BullMQ's real retries: a job retried after technical failures, or
 * run again after its worker wrote the entry and died, leaves exactly one entry.
 * The robot is a stand-in whose attempts are scripted; Redis and BullMQ are real.
 */
let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.close();
});

/** The DIPA scenario with a rework cost, taking any row (the robot is scripted). */
const scenario = { ...dipaPayment, reworkMinutes: 20, input: z.record(z.string(), z.string().optional()) } as unknown as Scenario<any>;

/**
 * A robot whose successive attempts throw a technical failure or end as scripted;
 * `'click-then-fail'` claims the commit as the runner does before its click, then loses the answer.
 */
function scriptedRobot(attempts: ('fail' | 'click-then-fail' | DossierOutcome | { clicked: DossierOutcome })[]): Robot & { calls: number; dryRuns: boolean[] } {
  const robot = {
    concurrency: 1,
    calls: 0,
    dryRuns: [] as boolean[],
    async run(_scenario: unknown, _row: unknown, meta: { dryRun?: boolean; commitGate?: CommitGate }): Promise<DossierOutcome> {
      robot.dryRuns.push(meta.dryRun === true);
      const next = attempts[robot.calls++] ?? 'fail';
      const clicked = typeof next === 'object' && 'clicked' in next;
      if (next === 'click-then-fail' || clicked) {
        const claim = await meta.commitGate!.claim({ step: '7', timeoutMs: 1000 });
        if (!claim.granted) throw new Error(`the commit was not granted: ${claim.reason}`);
      }
      if (next === 'fail' || next === 'click-then-fail') throw new TechnicalFailure('Progrès ne répond pas');
      return clicked ? next.clicked : next;
    },
  };
  return robot as unknown as Robot & { calls: number; dryRuns: boolean[] };
}

/** A ledger whose worker "dies" right after writing: the write lands, then the job fails and is run again. */
class DyingLedger extends Ledger {
  deaths = 1;
  override async record(entry: LedgerEntry) {
    const result = await super.record(entry);
    if (this.deaths-- > 0) throw new Error('worker died after writing the ledger');
    return result;
  }
}

async function runOneJob(robot: Robot, ledger: Ledger, prefix: string) {
  const queue = new Queue(scenario.id, { connection: redis.server.connection, prefix });
  const worker = new DossierWorker({ secret: testSecret, connection: redis.server.connection, prefix, robot, ledger, scenarios: [scenario], machine: 'robot-07' });
  const retries: number[] = [];
  worker.on('retrying', (r) => retries.push(r.attempt));
  const finished = new Promise<DossierFinished>((resolve) => worker.once('finished', resolve));
  const dossierId = dossierIdFor(scenario.id, '591000005|P1', testSecret);
  const payload = sealJobPayload({ campaignId: 'c1', scenarioId: scenario.id, scenarioVersion: scenario.version, caisse: 'CPAM Lille-Douai', file: 'f.csv', rowNumber: 4, dossierId }, { numero_ps: '591000005' }, testSecret);
  const job = await queue.add(scenario.id, payload, { jobId: jobIdFor(scenario.id, dossierId), attempts: 3, backoff: { type: 'fixed', delay: 20 } });
  const ending = await finished;
  await worker.close();
  const state = await (await queue.getJob(job.id!))!.getState();
  await queue.close();
  const entries: LedgerEntry[] = [];
  for await (const e of ledger.entries()) entries.push(e);
  return { ending, retries, state, entries };
}

const done: DossierOutcome = { status: 'done', reference: 'PRG-2020-000077', alreadyEntered: false, robotMs: 1500 } as DossierOutcome;

describe('the ledger under real BullMQ retries', () => {
  it('records a dossier that fails on every attempt once, as failed, with the scenario’s rework', async () => {
    const prefix = redis.prefix();
    const robot = scriptedRobot(['fail', 'fail', 'fail']);
    const { ending, retries, state, entries } = await runOneJob(robot, new Ledger(redis.client, { prefix }), prefix);
    expect(ending).toMatchObject({ status: 'failed', reason: 'Progrès ne répond pas', alreadyRecorded: false });
    expect(retries).toEqual([1, 2]);
    // Three attempts, then the guard's last look (a dry run) before a person is asked to redo it.
    expect(robot.dryRuns).toEqual([false, false, false, true]);
    expect(state).toBe('failed');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ status: 'failed', attempts: 3, manualMinutesSaved: 0, reworkMinutes: 20, machine: 'robot-07', rowNumber: 4 });
    const report = await summarizeGains(entries);
    expect(report.total).toMatchObject({ failed: 1, hoursSaved: -20 / 60, reworkHours: 20 / 60 });
  });

  it('records a dossier done, not failed, when the last look finds the entry its last attempt made', async () => {
    const prefix = redis.prefix();
    const found: DossierOutcome = { status: 'done', reference: 'PRG-2020-000078', alreadyEntered: true, robotMs: 900 } as DossierOutcome;
    const robot = scriptedRobot(['fail', 'fail', 'fail', found]);
    const { ending, entries, state } = await runOneJob(robot, new Ledger(redis.client, { prefix }), prefix);
    expect(robot.dryRuns).toEqual([false, false, false, true]);
    expect(ending).toMatchObject({ status: 'done', reference: 'PRG-2020-000078', alreadyRecorded: false });
    expect(state).toBe('completed');
    expect(entries).toEqual([expect.objectContaining({ status: 'done', reference: 'PRG-2020-000078', attempts: 3 })]);
  });

  it('records a dossier done on its third attempt once, with the minutes it saves and no rework', async () => {
    const prefix = redis.prefix();
    const robot = scriptedRobot(['fail', 'fail', done]);
    const { ending, entries, state } = await runOneJob(robot, new Ledger(redis.client, { prefix }), prefix);
    expect(ending).toMatchObject({ status: 'done', reference: 'PRG-2020-000077', alreadyRecorded: false });
    expect(state).toBe('completed');
    expect(entries).toEqual([expect.objectContaining({ status: 'done', attempts: 3, manualMinutesSaved: dipaPayment.manualMinutes, robotMs: 1500 })]);
    expect(entries[0]!.reworkMinutes).toBeUndefined();
  });

  it('raises a possible duplicate, never "already done", when it entered a dossier another machine recorded done meanwhile', async () => {
    const prefix = redis.prefix();
    const ledger = new Ledger(redis.client, { prefix });
    const dossierId = dossierIdFor(scenario.id, '591000005|P1', testSecret);
    // While this robot enters the dossier, another machine records it done under another reference.
    const robot = {
      concurrency: 1,
      async run(): Promise<DossierOutcome> {
        await ledger.record({ campaignId: 'c1', scenarioId: scenario.id, scenarioVersion: scenario.version, caisse: 'x', machine: 'robot-08', dossierId, status: 'done', reference: 'PRG-2020-000001', manualMinutesSaved: 6, robotMs: 1, attempts: 1, finishedAt: new Date().toISOString() });
        return { status: 'done', reference: 'PRG-2020-000002', alreadyEntered: false, robotMs: 1200 };
      },
    } as unknown as Robot;
    const { ending, entries } = await runOneJob(robot, ledger, prefix);
    expect(ending).toMatchObject({ status: 'done', reference: 'PRG-2020-000002', possibleDuplicate: true });
    expect(entries.map((e) => e.reference)).toEqual(['PRG-2020-000001']);
    expect(await ledger.possibleDuplicates('c1')).toBe(1);
  });

  it('counts the minutes of an entry its guard finds after its own click lost the answer', async () => {
    const prefix = redis.prefix();
    const found: DossierOutcome = { status: 'done', reference: 'PRG-2020-000079', alreadyEntered: true, robotMs: 700 } as DossierOutcome;
    const robot = scriptedRobot(['click-then-fail', found]);
    const { ending, entries } = await runOneJob(robot, new Ledger(redis.client, { prefix }), prefix);
    expect(ending).toMatchObject({ status: 'done', reference: 'PRG-2020-000079', alreadyRecorded: false });
    expect(entries).toEqual([expect.objectContaining({ status: 'done', alreadyEntered: true, attempts: 2, manualMinutesSaved: dipaPayment.manualMinutes })]);
  });

  it('counts no minutes twice for a dossier resubmitted after its done record and commit claim expired: the guard finds it, nothing clicked now', async () => {
    const prefix = redis.prefix();
    const ledger = new Ledger(redis.client, { prefix });
    const first = await runOneJob(scriptedRobot([{ clicked: done }]), ledger, prefix);
    expect(first.entries).toEqual([expect.objectContaining({ status: 'done', manualMinutesSaved: dipaPayment.manualMinutes })]);
    // Weeks later: Redis has dropped the done record (retention.ledgerDoneDays) and the claim (a day) of its click.
    const forgotten = [...(await redis.client.keys(`${prefix}:ledger:done:*`)), ...(await redis.client.keys(`${prefix}:commit:*`))];
    expect(forgotten.some((k) => k.includes(':commit:'))).toBe(true);
    await redis.client.unlink(...forgotten);
    const dossierId = dossierIdFor(scenario.id, '591000005|P1', testSecret);
    expect(await ledger.doneAmong(scenario.id, [dossierId])).toEqual(new Map());
    // And the queue no longer holds its completed job (removed by its retention), so it is queued again.
    const queue = new Queue(scenario.id, { connection: redis.server.connection, prefix });
    await queue.remove(jobIdFor(scenario.id, dossierId));
    await queue.close();
    const found: DossierOutcome = { status: 'done', reference: 'PRG-2020-000077', alreadyEntered: true, robotMs: 600 } as DossierOutcome;
    const second = await runOneJob(scriptedRobot([found]), ledger, prefix);
    expect(second.ending).toMatchObject({ status: 'done', reference: 'PRG-2020-000077', alreadyRecorded: false });
    expect(second.entries.at(-1)).toMatchObject({ status: 'done', alreadyEntered: true, manualMinutesSaved: 0 });
    const report = await summarizeGains(ledger.figures());
    expect(report.total).toMatchObject({ dossiers: 2, hoursSaved: dipaPayment.manualMinutes / 60 });
  });

  it('does not enter or record a dossier again when its worker died after writing the ledger', async () => {
    const prefix = redis.prefix();
    const robot = scriptedRobot([done, done]);
    const { ending, entries, state } = await runOneJob(robot, new DyingLedger(redis.client, { prefix }), prefix);
    expect(ending).toMatchObject({ status: 'done', reference: 'PRG-2020-000077', alreadyRecorded: true });
    expect(robot.calls).toBe(1);
    expect(state).toBe('completed');
    expect(entries).toHaveLength(1);
  });
});
