import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../gains/index.ts';
import { CampaignRegistry } from '../../queue/campaigns/campaign-registry.ts';
import { CapacityGate } from '../../queue/fleet/capacity-gate.ts';
import { submitRegisteredCampaign } from '../../queue/campaigns/enqueue.ts';
import { DossierWorker, type DossierFinished } from '../../queue/fleet/worker.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { dipaFile, requestRows } from '../support/dipa.ts';
import { useE2e } from '../support/e2e.ts';
import { eventually } from '../support/eventually.ts';
import { duplicatesIn, entryCount } from '../support/backoffice-entries.ts';
import { testSecret } from '../support/secret.ts';

/** What the worker does with campaign controls and back-office capacity, on real Redis, Chromium and HTTP. */
const e2e = useE2e({ robot: { concurrency: 2 } });

function deployment(capacity?: CapacityGate | ((prefix: string) => CapacityGate)) {
  const prefix = e2e.redis.prefix();
  const connection = e2e.redis.server.connection;
  const ledger = new Ledger(e2e.redis.client, { prefix });
  const registry = new CampaignRegistry(e2e.redis.client, { prefix });
  const queue = new Queue(dipaPayment.id, { connection, prefix });
  const gate = typeof capacity === 'function' ? capacity(prefix) : capacity;
  const worker = new DossierWorker({ secret: testSecret, connection, prefix, robot: e2e.robot, ledger, scenarios: [dipaPayment], machine: 'm1', campaigns: registry, ...(gate ? { capacity: gate } : {}) });
  const finished: DossierFinished[] = [];
  worker.on('finished', (f) => finished.push(f));
  e2e.closeAfterTest(() => queue.close(), () => worker.close());
  const submit = async (rows: number) =>
    submitRegisteredCampaign({ secret: testSecret, queue, ledger, registry, scenario: dipaPayment, file: await dipaFile('controls.csv', requestRows(e2e.backOffice, (p) => p.conventioned, rows)), caisse: 'CPAM Lille-Douai' });
  return { prefix, ledger, registry, queue, worker, finished, submit };
}

const delayedCount = (queue: Queue) => queue.getJobCountByTypes('delayed');

/** Progrès holds `n` payments, one per request (it would take a second one for the same request). */
function expectPaidOnce(n: number): void {
  expect(duplicatesIn(e2e.backOffice.state.entriesByKey())).toEqual([]);
  expect(entryCount(e2e.backOffice.state.entriesByKey())).toBe(n);
}

describe('the worker and campaign controls', () => {
  it('parks the dossiers of a paused campaign, and enters them once resumed', async () => {
    const d = deployment();
    await d.worker.close(); // submit first, pause, then let a worker take the jobs
    const submission = await d.submit(3);
    await d.registry.pause(submission.campaignId);
    const worker = new DossierWorker({ secret: testSecret, connection: e2e.redis.server.connection, prefix: d.prefix, robot: e2e.robot, ledger: d.ledger, scenarios: [dipaPayment], machine: 'm1', campaigns: d.registry });
    e2e.closeAfterTest(() => worker.close());
    await eventually(async () => (await delayedCount(d.queue)) === 3, 'the 3 dossiers parked');
    expect(e2e.backOffice.state.payments).toHaveLength(0);

    const { promoted } = await d.registry.resume(submission.campaignId, d.queue);
    expect(promoted).toBe(3);
    await eventually(async () => (await d.ledger.campaignCounts(submission.campaignId)).done === 3, 'the 3 dossiers done', 60_000);
    expectPaidOnce(3);
  });

  it('drops the dossiers of a cancelled campaign: nothing entered, nothing recorded', async () => {
    const d = deployment();
    await d.worker.close();
    const submission = await d.submit(2);
    // The race `cancel` cannot close: a worker takes a dossier just after the cancellation was
    // decided but before the queue was swept. Only the state is set here, the jobs stay queued.
    await e2e.redis.client.hset(`${d.prefix}:campaign:${submission.campaignId}`, 'state', 'cancelled');
    const worker = new DossierWorker({ secret: testSecret, connection: e2e.redis.server.connection, prefix: d.prefix, robot: e2e.robot, ledger: d.ledger, scenarios: [dipaPayment], machine: 'm1', campaigns: d.registry });
    const dropped: string[] = [];
    worker.on('cancelled', (c) => dropped.push(c.jobId));
    e2e.closeAfterTest(() => worker.close());
    await eventually(async () => dropped.length === 2, 'both dossiers dropped');
    expect(e2e.backOffice.state.payments).toHaveLength(0);
    expect(await d.ledger.campaignCounts(submission.campaignId)).toEqual({ done: 0, rejected: 0, failed: 0 });
  });
});

describe('the worker and back-office capacity', () => {
  it('keeps dossiers waiting while Progrès is closed, and enters them when it opens', async () => {
    // Sunday 6 December 2026, 10:00 in Paris: Progrès is open 07:00–19:00 on working days.
    let now = Date.parse('2026-12-06T09:00:00Z');
    const d = deployment((prefix) => new CapacityGate(e2e.redis.client, { prefix, now: () => now, capacities: { progres: { openingHours: { from: '07:00', to: '19:00' } } } }));
    const submission = await d.submit(2);
    await eventually(async () => (await delayedCount(d.queue)) === 2, 'both dossiers waiting for the opening');
    const [job] = await d.queue.getDelayed();
    // They wait until Monday 07:00 Paris time (06:00 UTC).
    expect(job!.timestamp + job!.delay).toBeGreaterThanOrEqual(Date.now() + Date.parse('2026-12-07T06:00:00Z') - now - 5_000);
    expect(e2e.backOffice.state.payments).toHaveLength(0);

    now = Date.parse('2026-12-07T06:30:00Z');
    for (const j of await d.queue.getDelayed()) await j.promote();
    await eventually(async () => (await d.ledger.campaignCounts(submission.campaignId)).done === 2, 'both dossiers done', 60_000);
    expectPaidOnce(2);
  });

  it('enters no more dossiers a minute than Progrès accepts', async () => {
    let now = Date.parse('2026-12-07T09:00:00Z');
    const d = deployment((prefix) => new CapacityGate(e2e.redis.client, { prefix, now: () => now, capacities: { progres: { ratePerMinute: 2 } } }));
    const submission = await d.submit(3);
    await eventually(async () => (await d.ledger.campaignCounts(submission.campaignId)).done === 2 && (await delayedCount(d.queue)) === 1, 'two done, the third waiting', 60_000);
    const [waiting] = await d.queue.getDelayed();
    // At most the minute's window, plus a second at most to spread the refused dossiers.
    expect(waiting!.delay).toBeLessThanOrEqual(61_000);
    expect(e2e.backOffice.state.payments).toHaveLength(2);

    now += 61_000;
    await waiting!.promote();
    await eventually(async () => (await d.ledger.campaignCounts(submission.campaignId)).done === 3, 'the third done', 60_000);
    expectPaidOnce(3);
  });
});
