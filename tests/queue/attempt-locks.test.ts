import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../gains/index.ts';
import { CampaignRegistry } from '../../queue/campaigns/campaign-registry.ts';
import { submitRegisteredCampaign } from '../../queue/campaigns/enqueue.ts';
import { ApplicationPauses } from '../../queue/fleet/application-pauses.ts';
import { AttemptLocks, type Attempt } from '../../queue/fleet/attempt-locks.ts';
import { CommitClaims } from '../../queue/fleet/commit-claims.ts';
import { readDossierStart } from '../../queue/fleet/dossier-start.ts';
import { DossierWorker, type DossierFinished } from '../../queue/fleet/worker.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { duplicatesIn, entryCount } from '../support/backoffice-entries.ts';
import { dipaFile, requestRows } from '../support/dipa.ts';
import { useE2e } from '../support/e2e.ts';
import { eventually } from '../support/eventually.ts';
import { entriesOf } from '../support/ledger.ts';
import { testSecret } from '../support/secret.ts';
import { registerKnownCampaign } from '../support/known-campaign.ts';

/**
 * The attempt lock the commit claim checks: proweb's own, so that no script reads BullMQ's
 * keys. Taken when an attempt starts (with what the worker reads before a dossier, in one round
 * trip), overwritten by the next attempt, renewed with BullMQ's lock, expired when not renewed.
 * Real Redis, Chromium and HTTP.
 */
const e2e = useE2e({ robot: { concurrency: 1 } });

function deployment(lockDurationMs: number) {
  const prefix = e2e.redis.prefix();
  const client = e2e.redis.client;
  const locks = new AttemptLocks(client, { prefix, lockDurationMs });
  const claims = new CommitClaims(client, { prefix, lockDurationMs });
  const attempt = (token: string, dossierId = 'd1'): Attempt => ({ jobId: `${dipaPayment.id}.${dossierId}`, token });
  /** What the worker does when an attempt starts: takes the lock, reads nothing else. */
  const start = (a: Attempt) => readDossierStart(client, {
    attempt: { key: locks.keyOf(a.jobId), token: a.token, durationMs: lockDurationMs },
    pauses: { keys: [], read: () => undefined }, done: { keys: [], field: a.jobId, read: (v) => v },
  });
  const claim = (a: Attempt) => claims.gate({ scenarioId: dipaPayment.id, dossierId: a.jobId.split('.')[1]!, attemptKey: locks.keyOf(a.jobId), token: a.token, holder: `m|${a.jobId}|${a.token}` })
    .claim({ step: '10', timeoutMs: 2_000 });
  return { prefix, client, locks, attempt, start, claim };
}

describe('the attempt lock', () => {
  it('is taken when an attempt starts, in the round trip that reads the campaign, the pauses and the ledger', async () => {
    const d = deployment(30_000);
    const registry = new CampaignRegistry(d.client, { prefix: d.prefix });
    const pauses = new ApplicationPauses(d.client, { prefix: d.prefix });
    const ledger = new Ledger(d.client, { prefix: d.prefix });
    const campaignId = '2026-12-03-attempt';
    await registerKnownCampaign(registry, campaignId, 1);
    await registry.pause(campaignId);
    await pauses.pause('progres', { reason: 'Mot de passe expiré.', machine: 'robot-a', at: '2026-12-03T08:00:00.000Z' });
    await ledger.record({
      campaignId, scenarioId: dipaPayment.id, scenarioVersion: dipaPayment.version, caisse: 'CPAM Lille-Douai', machine: 'robot-a', dossierId: 'd-done',
      rowNumber: 2, status: 'done', reference: 'PRG-1', manualMinutesSaved: 6, robotMs: 900, attempts: 1, finishedAt: new Date().toISOString(),
    });
    const read = async (dossierId: string) => readDossierStart(d.client, {
      attempt: { key: d.locks.keyOf(`${dipaPayment.id}.${dossierId}`), token: `token-${dossierId}`, durationMs: 30_000 },
      campaign: registry.stateLookup(campaignId), pauses: pauses.pausesLookup(['ameli-pro', 'progres']), done: await ledger.doneLookup(dipaPayment.id, dossierId),
    });

    const done = await read('d-done');
    expect(done.campaign).toBe('paused');
    expect(done.paused.map((p) => [p.applicationId, p.reason])).toEqual([['progres', 'Mot de passe expiré.']]);
    expect(done.done).toMatchObject({ reference: 'PRG-1', campaignId });
    expect((await read('d-new')).done).toBeUndefined();
    // Each read took its attempt's lock: the claim is this attempt's to take.
    expect(await d.locks.holds(d.attempt('token-d-new', 'd-new'))).toBe(true);
    expect(await d.claim(d.attempt('token-d-new', 'd-new'))).toMatchObject({ granted: true });
    // A campaign the registry does not know reads as unknown (the worker refuses its job).
    const unknown = await readDossierStart(d.client, {
      attempt: { key: d.locks.keyOf(`${dipaPayment.id}.d-x`), token: undefined, durationMs: 30_000 },
      campaign: registry.stateLookup('2026-12-03-nowhere'), pauses: pauses.pausesLookup([]), done: await ledger.doneLookup(dipaPayment.id, 'd-x'),
    });
    expect(unknown).toEqual({ campaign: undefined, paused: [], done: undefined });
    // No token, no lock taken.
    expect(await d.client.exists(d.locks.keyOf(`${dipaPayment.id}.d-x`))).toBe(0);
  });

  it('goes to the next attempt: the earlier one is refused the commit, and told so when it renews', async () => {
    const d = deployment(30_000);
    const [frozen, next] = [d.attempt('attempt-1'), d.attempt('attempt-2')];
    await d.start(frozen);
    await d.start(next); // the job taken over by another machine
    expect(await d.claim(frozen)).toMatchObject({ granted: false, reason: 'lost' });
    expect(await d.locks.renew([frozen, next])).toEqual([frozen]);
    expect(await d.locks.holds(frozen)).toBe(false);
    expect(await d.claim(next)).toMatchObject({ granted: true });
  });

  it('expires when not renewed: an attempt frozen past it is refused the commit', async () => {
    const d = deployment(400);
    const frozen = d.attempt('attempt-1');
    await d.start(frozen);
    expect(await d.locks.renew([frozen])).toEqual([]);
    await eventually(async () => !(await d.locks.holds(frozen)), 'the lock to expire', 5_000);
    expect(await d.claim(frozen)).toMatchObject({ granted: false, reason: 'lost' });
  });

  it('is taken back by its attempt at the next renewal when it is gone while the job is still that attempt\'s (a failover, a renewal that failed)', async () => {
    const d = deployment(30_000);
    const running = d.attempt('attempt-1');
    await d.start(running);
    await d.client.del(d.locks.keyOf(running.jobId));
    expect(await d.claim(running)).toMatchObject({ granted: false, reason: 'lost' });
    // BullMQ has just renewed the job's lock for this token: the attempt lock is its own again.
    expect(await d.locks.renew([running])).toEqual([]);
    expect(await d.locks.holds(running)).toBe(true);
    expect(await d.client.pttl(d.locks.keyOf(running.jobId))).toBeGreaterThan(0);
    expect(await d.claim(running)).toMatchObject({ granted: true });
  });
});

describe('the worker and the attempt lock', () => {
  /**
   * One dossier on a worker whose payment form answers after `lateBy` lock durations (its first
   * time only): the attempt runs across several renewals of its lock.
   */
  async function slowDossier(lockDurationMs: number, lateBy = 3) {
    const prefix = e2e.redis.prefix();
    const connection = e2e.redis.server.connection;
    const ledger = new Ledger(e2e.redis.client, { prefix });
    const registry = new CampaignRegistry(e2e.redis.client, { prefix });
    const queue = new Queue(dipaPayment.id, { connection, prefix });
    const worker = new DossierWorker({ secret: testSecret, connection, prefix, robot: e2e.robot, ledger, scenarios: [dipaPayment], machine: 'm1', campaigns: registry, lockDurationMs });
    const finished: DossierFinished[] = [];
    const retries: string[] = [];
    worker.on('finished', (f) => finished.push(f));
    worker.on('retrying', (r) => retries.push(r.error.message));
    e2e.closeAfterTest(() => queue.close(), () => worker.close());
    e2e.backOffice.faults.inject({ on: 'commit-form', kind: 'delay', delayMs: lateBy * lockDurationMs });
    const file = await dipaFile('attempt-lock.csv', requestRows(e2e.backOffice, (p) => p.conventioned, 1));
    const submission = await submitRegisteredCampaign({ secret: testSecret, queue, ledger, registry, scenario: dipaPayment, file, caisse: 'CPAM Lille-Douai' });
    const locks = new AttemptLocks(e2e.redis.client, { prefix, lockDurationMs });
    /** The attempt lock's key and token once the attempt has started. */
    const started = async () => {
      let held: { key: string; token: string } | undefined;
      await eventually(async () => {
        const [job] = await queue.getJobs(['active']);
        const token = job?.id ? await e2e.redis.client.get(locks.keyOf(job.id)) : null;
        if (job?.id && token) held = { key: locks.keyOf(job.id), token };
        return held !== undefined;
      }, 'the attempt to start', 30_000);
      return held!;
    };
    const ended = async () => {
      await eventually(async () => finished.length === 1, 'the dossier to end', 60_000);
      expect(finished[0]).toMatchObject({ status: 'done', alreadyRecorded: false });
      expect(retries).toEqual([]);
      expect(duplicatesIn(e2e.backOffice.state.entriesByKey())).toEqual([]);
      expect(entryCount(e2e.backOffice.state.entriesByKey())).toBe(1);
      return (await entriesOf(ledger)).map((e) => [e.campaignId, e.status, e.attempts]);
    };
    return { submission, started, ended };
  }

  it('renews it with the job\'s lock: a dossier slower than the lock duration still takes its commit, once', async () => {
    // The payment form comes after two lock durations: the commit is claimed well past the first lock's end.
    const d = await slowDossier(1_500, 2);
    // Entered by its first attempt: not one refused the commit as taken over, then retried.
    expect(await d.ended()).toEqual([[d.submission.campaignId, 'done', 1]]);
  });

  it('takes its attempt lock back when it is gone while the job is still its own (lost in a failover): the same attempt commits', async () => {
    const d = await slowDossier(1_500);
    const { key, token } = await d.started();
    await e2e.redis.client.del(key);
    // Taken back by the attempt that holds the job (same token), not by a new one after a hand-back.
    await eventually(async () => (await e2e.redis.client.get(key)) === token, 'the attempt lock to be taken back', 10_000);
    expect(await d.ended()).toEqual([[d.submission.campaignId, 'done', 1]]);
  });

  it('hands the job back, no attempt spent, when its attempt lock is another\'s while BullMQ\'s lock is still its own', async () => {
    const d = await slowDossier(1_500);
    const { key, token } = await d.started();
    await e2e.redis.client.set(key, 'a-stale-token', 'PX', 60_000);
    // The next renewal finds the lock another's: the robot stops before its next step, clicks
    // nothing, and the job goes back to the queue; retaken, a new attempt enters it once.
    await eventually(async () => { const now = await e2e.redis.client.get(key); return now !== null && now !== token && now !== 'a-stale-token'; }, 'a new attempt to start', 30_000);
    expect(await d.ended()).toEqual([[d.submission.campaignId, 'done', 1]]);
  });
});