import { randomBytes } from 'node:crypto';
import { Queue, type Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.ts';
import { Ledger } from '../../gains/index.ts';
import { readInputRows, validateRows } from '../../input/index.ts';
import { CampaignRegistry } from '../../queue/campaigns/campaign-registry.ts';
import { dossierIdFor, jobIdFor } from '../../queue/campaigns/dossier-id.ts';
import { submitRegisteredCampaign } from '../../queue/campaigns/enqueue.ts';
import { sealJobPayload, type JobFields, type RawRow } from '../../queue/campaigns/job-payload.ts';
import { DOSSIER_JOB_OPTIONS } from '../../queue/queue-options.ts';
import { DossierWorker, type JobRefusal } from '../../queue/fleet/worker.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { entryCount } from '../support/backoffice-entries.ts';
import { dipaFile, requestRows } from '../support/dipa.ts';
import { eventually } from '../support/eventually.ts';
import { entriesOf } from '../support/ledger.ts';
import { useE2e } from '../support/e2e.ts';
import { otherDeploymentSecret, testSecret } from '../support/secret.ts';
import { registerKnownCampaign } from '../support/known-campaign.ts';

/**
 * Redis is not a control plane: whoever can write to it cannot make a robot type a row
 * this deployment did not queue. Jobs written straight into the queue, sealed by another
 * deployment, edited after they were sealed, or of a campaign never submitted are refused
 * by a real worker on real Redis, Chromium and the mock Progrès: nothing entered in
 * Progrès (counted in its own state), nothing in the ledger, an error logged, the job
 * failed for good with the reason. Then the same rows, queued as this deployment queues
 * them, are entered: the refusals are the seal's doing, not rows Progrès would not take.
 */
const e2e = useE2e({ robot: { concurrency: 2 } });

const CAISSE = 'CPAM Lille-Douai';

function deployment() {
  const prefix = e2e.redis.prefix();
  const connection = e2e.redis.server.connection;
  const ledger = new Ledger(e2e.redis.client, { prefix });
  const registry = new CampaignRegistry(e2e.redis.client, { prefix });
  const queue = new Queue(dipaPayment.id, { connection, prefix });
  e2e.closeAfterTest(() => queue.close());
  const refusals: JobRefusal[] = [];
  const log: { level: number; msg: string; reason?: string; jobId?: string }[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void log.push(JSON.parse(line)) } });
  /** Started once the forged jobs are in the queue, as a worker that finds them there. */
  const startWorker = async () => {
    const worker = new DossierWorker({ secret: testSecret, connection, prefix, robot: e2e.robot, ledger, scenarios: [dipaPayment], machine: 'm1', campaigns: registry, logger });
    worker.on('refused', (r) => refusals.push(r));
    e2e.closeAfterTest(() => worker.close());
    await worker.waitUntilReady();
    return worker;
  };
  /** A campaign this deployment knows, as `enqueue` registers it. */
  const register = (id: string) => registerKnownCampaign(registry, id);
  /** Payable DIPA requests of the mock ameli pro, as a file and as the rows a submission reads from it. */
  const payableRows = async (count: number) => {
    const file = await dipaFile('forged.csv', requestRows(e2e.backOffice, (p) => p.conventioned, count));
    const rows: { rowNumber: number; key: string; raw: RawRow }[] = [];
    for await (const v of validateRows(dipaPayment, 'forged.csv', readInputRows(file))) if (v.ok) rows.push(v);
    expect(rows).toHaveLength(count);
    return { file, rows };
  };
  const fieldsOf = (campaignId: string, row: { rowNumber: number; key: string }): JobFields => ({
    campaignId, scenarioId: dipaPayment.id, scenarioVersion: dipaPayment.version, caisse: CAISSE, file: 'forged.csv', rowNumber: row.rowNumber,
    dossierId: dossierIdFor(dipaPayment.id, row.key, testSecret),
  });
  /** Written straight into the queue, as anyone who can write to Redis can. */
  const addStraight = (data: unknown, dossierId: string) => queue.add(dipaPayment.id, data as never, { ...DOSSIER_JOB_OPTIONS, jobId: jobIdFor(dipaPayment.id, dossierId) });

  /** Each job refused: failed for good at its first attempt, with a reason, its data holding no row; nothing entered or recorded. */
  const expectRefused = async (jobs: readonly Pick<Job, 'id'>[], reason: RegExp) => {
    await eventually(async () => {
      const states = await Promise.all(jobs.map((j) => queue.getJobState(j.id!)));
      return states.every((s) => s === 'failed');
    }, `${jobs.length} jobs failed`);
    for (const { id } of jobs) {
      const job = (await queue.getJob(id!))!;
      expect(job.failedReason).toMatch(/refused, not run/);
      expect(job.failedReason).toMatch(reason);
      expect(job.attemptsMade).toBe(1);
      expect(job.data).not.toHaveProperty('sealedRow');
      expect(job.data).not.toHaveProperty('raw');
      expect(refusals.map((r) => r.jobId)).toContain(id);
      expect(log.filter((l) => l.level === 50 && l.jobId === id && /refused, not run/.test(l.msg))).toHaveLength(1);
    }
    expect(entryCount(e2e.backOffice.state.entriesByKey()), 'entries made in Progrès').toBe(0);
    expect(e2e.backOffice.state.payments).toHaveLength(0);
    expect(await entriesOf(ledger), 'ledger entries').toEqual([]);
  };

  /** The same rows, queued as this deployment queues them: entered, once each. */
  const expectEnteredWhenGenuine = async (file: string, count: number) => {
    const submission = await submitRegisteredCampaign({ secret: testSecret, queue, ledger, registry, scenario: dipaPayment, file, caisse: CAISSE });
    expect(submission.jobIds).toHaveLength(count);
    await eventually(async () => (await ledger.campaignCounts(submission.campaignId)).done === count, `${count} genuine dossiers done`, 60_000);
    expect(entryCount(e2e.backOffice.state.entriesByKey())).toBe(count);
  };

  return { prefix, queue, ledger, registry, refusals, log, startWorker, register, payableRows, fieldsOf, addStraight, expectRefused, expectEnteredWhenGenuine };
}

describe('a worker refuses jobs this deployment did not seal', () => {
  it('refuses well-formed jobs written straight into Redis: a row in clear, a made-up seal, no row at all', async () => {
    const d = deployment();
    await d.register('2026-12-02-forged00');
    const { file, rows } = await d.payableRows(3);
    const [inClear, madeUp, none] = rows.map((r) => d.fieldsOf('2026-12-02-forged00', r)) as [JobFields, JobFields, JobFields];
    const jobs = [
      await d.addStraight({ ...inClear, raw: rows[0]!.raw }, inClear.dossierId),
      await d.addStraight({ ...madeUp, sealedRow: `v1.${randomBytes(96).toString('base64url')}` }, madeUp.dossierId),
      await d.addStraight(none, none.dossierId),
    ];
    await d.startWorker();
    await d.expectRefused(jobs, /./);
    const reasons = Object.fromEntries(d.refusals.map((r) => [r.jobId, r.reason]));
    expect(reasons[jobs[0]!.id!]).toMatch(/not a proweb job payload \(unknown fields raw\)/);
    expect(reasons[jobs[1]!.id!]).toMatch(/seal does not open/);
    expect(reasons[jobs[2]!.id!]).toMatch(/no sealed input row/);
    await d.expectEnteredWhenGenuine(file, 3);
  });

  it('refuses jobs sealed with another deployment\'s secret', async () => {
    const d = deployment();
    const { file } = await d.payableRows(2);
    // A machine configured with another secret queues into this deployment's Redis.
    const foreign = await submitRegisteredCampaign({ secret: otherDeploymentSecret, queue: d.queue, ledger: d.ledger, registry: d.registry, scenario: dipaPayment, file, caisse: CAISSE });
    expect(foreign.jobIds).toHaveLength(2);
    await d.startWorker();
    await d.expectRefused(foreign.jobIds.map((id) => ({ id })), /seal does not open/);
    await d.expectEnteredWhenGenuine(file, 2);
  });

  it('refuses sealed jobs whose row number or campaign was edited in Redis', async () => {
    const d = deployment();
    const { file } = await d.payableRows(2);
    await d.register('2026-12-02-elsewher');
    const genuine = await submitRegisteredCampaign({ secret: testSecret, queue: d.queue, ledger: d.ledger, registry: d.registry, scenario: dipaPayment, file, caisse: CAISSE });
    const [first, second] = genuine.jobIds as [string, string];
    const edit = async (jobId: string, change: Record<string, unknown>) => {
      const key = `${d.prefix}:${dipaPayment.id}:${jobId}`;
      const data = JSON.parse((await e2e.redis.client.hget(key, 'data'))!) as Record<string, unknown>;
      expect(data.sealedRow).toEqual(expect.any(String));
      await e2e.redis.client.hset(key, 'data', JSON.stringify({ ...data, ...change }));
    };
    await edit(first, { rowNumber: 99 });
    // Moved to another campaign this deployment knows: the seal, not the registry, refuses it.
    await edit(second, { campaignId: '2026-12-02-elsewher' });
    await d.startWorker();
    await d.expectRefused([{ id: first }, { id: second }], /seal does not open/);
    await d.expectEnteredWhenGenuine(file, 2);
  });

  it('refuses a sealed job of a campaign this deployment does not know', async () => {
    const d = deployment();
    const { file, rows } = await d.payableRows(1);
    // Sealed with the right secret (a copy of a job from before a campaign was forgotten, say), yet no campaign of that id.
    const fields = d.fieldsOf('2026-12-02-unknown0', rows[0]!);
    const job = await d.addStraight(sealJobPayload(fields, rows[0]!.raw, testSecret), fields.dossierId);
    await d.startWorker();
    await d.expectRefused([job], /campaign 2026-12-02-unknown0 is not known to this deployment/);
    await d.expectEnteredWhenGenuine(file, 1);
  });

  it('completes, without running it, a job back without its row whose dossier the ledger has done (its completion lost in a Redis failover)', async () => {
    const d = deployment();
    await d.register('2026-12-02-failover');
    const { rows } = await d.payableRows(2);
    const [ended, stranger] = rows.map((r) => d.fieldsOf('2026-12-02-failover', r)) as [JobFields, JobFields];
    await d.ledger.record({
      campaignId: ended.campaignId, scenarioId: ended.scenarioId, scenarioVersion: ended.scenarioVersion, caisse: CAISSE, machine: 'm0',
      dossierId: ended.dossierId, rowNumber: ended.rowNumber, status: 'done', reference: 'PAY-BEFORE-FAILOVER', manualMinutesSaved: 1, robotMs: 1, attempts: 1, finishedAt: new Date().toISOString(),
    });
    const back = await d.addStraight(ended, ended.dossierId);
    // Its dossier not done: a job without its row is still refused.
    const notDone = await d.addStraight(stranger, stranger.dossierId);
    await d.startWorker();
    await eventually(async () => (await d.queue.getJobState(back.id!)) === 'completed', 'the job back without its row completed');
    expect((await d.queue.getJob(back.id!))!.returnvalue).toMatchObject({ status: 'done', reference: 'PAY-BEFORE-FAILOVER', alreadyRecorded: true });
    await eventually(async () => (await d.queue.getJobState(notDone.id!)) === 'failed', 'the job without its row, its dossier not done, refused');
    expect((await d.queue.getJob(notDone.id!))!.failedReason).toMatch(/refused, not run: it carries no sealed input row/);
    expect(d.refusals.map((r) => r.jobId)).toEqual([notDone.id]);
    expect(e2e.backOffice.state.payments).toHaveLength(0);
    expect((await entriesOf(d.ledger)).map((e) => e.dossierId), 'nothing recorded again').toEqual([ended.dossierId]);
  });
});
