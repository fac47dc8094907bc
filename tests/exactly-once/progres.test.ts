import { afterEach, describe, expect, it } from 'vitest';
import { startBackOffice, type BackOffice, type BackOfficeOptions, type FaultSpec } from '../../fixtures/backoffice/index.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { dipaFile, requestRows } from '../support/dipa.ts';
import { eventually } from '../support/eventually.ts';
import { expectExactlyOnce, startFleet, type Fleet } from '../support/fleet.ts';

/**
 * The fault matrix on Progrès: two `proweb worker` processes (real Chromium each), one real
 * Redis, a Progrès that accepts a second payment for the same period and, unless said, a
 * form posted twice. Each fault ends with every dossier ended once, no payment entered
 * twice (counted in Progrès' own state), and the ledger agreeing with Progrès.
 */
const ROWS = 16;
let backOffice: BackOffice | undefined;
let fleet: Fleet | undefined;

afterEach(async () => {
  await fleet?.close();
  await backOffice?.close();
  fleet = undefined;
  backOffice = undefined;
});

async function setUp(options: { formTokens?: boolean; lockDurationMs?: number } = {}) {
  const boOptions: BackOfficeOptions = { applications: { progres: { formTokens: options.formTokens ?? false } } };
  backOffice = await startBackOffice({ port: 0, ...boOptions });
  fleet = await startFleet({ backOffice, scenario: dipaPayment, applications: ['progres'], ...(options.lockDurationMs ? { lockDurationMs: options.lockDurationMs } : {}) });
  const file = await dipaFile(`matrix-${Date.now()}.csv`, requestRows(backOffice, (p) => p.conventioned, ROWS));
  return { backOffice, fleet, file };
}

/** Runs the campaign on two workers with `faults` armed, and checks exactly once. */
async function campaignUnder(fault: string, faults: FaultSpec[], options: { formTokens?: boolean } = {}) {
  const { backOffice, fleet, file } = await setUp(options);
  for (const f of faults) backOffice.faults.inject(f);
  const startedAt = Date.now();
  await Promise.all([fleet.startWorker('robot-a'), fleet.startWorker('robot-b')]);
  const { campaignId } = await fleet.submit(file);
  await fleet.ended(campaignId, ROWS);
  const outcome = await expectExactlyOnce(fleet, { fault, startedAt, campaignId, dossiers: ROWS, scenario: dipaPayment, entries: () => backOffice.state.entriesByKey() });
  return Object.assign(outcome, { campaignId });
}

describe('exactly once in Progrès under faults (2 worker processes, real Redis and Chromium)', () => {
  it('a connection cut after Progrès committed: the payment is found, never entered again', async () => {
    const outcome = await campaignUnder('connection cut after commit', [{ on: 'commit', kind: 'drop-connection-after-commit', times: 3 }]);
    expect(outcome).toMatchObject({ done: ROWS, failed: 0, rejected: 0 });
  }, 240_000);

  it('the same with single-use form tokens: a cut answer is never taken for a refusal', async () => {
    const outcome = await campaignUnder('connection cut after commit, form tokens', [{ on: 'commit', kind: 'drop-connection-after-commit', times: 3 }], { formTokens: true });
    expect(outcome).toMatchObject({ done: ROWS, failed: 0, rejected: 0 });
  }, 240_000);

  it('an error page (HTTP 500) after Progrès committed', async () => {
    const outcome = await campaignUnder('HTTP 500 after commit', [{ on: 'commit', kind: 'http-500-after-commit', times: 3 }]);
    expect(outcome).toMatchObject({ done: ROWS, failed: 0, rejected: 0 });
  }, 240_000);

  it('an answer slower than the step timeout', async () => {
    const outcome = await campaignUnder('answer slower than the step timeout', [{ on: 'commit', kind: 'delay', delayMs: 8_000, times: 2 }]);
    expect(outcome).toMatchObject({ done: ROWS, failed: 0, rejected: 0 });
  }, 240_000);

  it('the session expired between filling and committing: outcome unknown, left to a person, never entered twice', async () => {
    const outcome = await campaignUnder('session expired before the commit', [{ on: 'commit', kind: 'expire-session', times: 2 }]);
    // The login page answered the commit: Progrès may or may not have the payment, so the robot
    // waits until that click can no longer land, looks, and leaves what it does not find to a person.
    // Every session of Progrès expires, so a commit of another slot may meet the login page too.
    expect(outcome.failed).toBeGreaterThanOrEqual(2);
    expect(outcome).toMatchObject({ done: ROWS - outcome.failed, rejected: 0 });
    const work = (await fleet!.ledger.campaignWorkList(outcome.campaignId)) ?? [];
    expect(work.map((e) => e.reason)).toEqual(Array(outcome.failed).fill(expect.stringMatching(/^outcome unknown: check progres for ps \d{9}, period P[12]/)));
  }, 240_000);

  it('a worker frozen (SIGSTOP) past its lock after the guard, before the commit: it never clicks once it wakes', async () => {
    const { backOffice, fleet, file } = await setUp();
    const startedAt = Date.now();
    const frozen = await fleet.startWorker('robot-frozen');
    let hits = 0;
    // The frozen worker asked for the payment form: its guard found nothing, its commit is next.
    backOffice.faults.inject({ on: 'commit-form', kind: 'delay', delayMs: 300, onHit: () => { hits++; frozen.kill('SIGSTOP'); } });
    const { campaignId } = await fleet.submit(file);
    await eventually(async () => hits > 0, 'the first worker to reach a payment form');
    // The other machine takes its dossiers over once their lock has expired, and finishes the campaign.
    await fleet.startWorker('robot-b');
    await fleet.ended(campaignId, ROWS);
    frozen.kill('SIGCONT');
    // Woken, the first worker fills the form it had asked for, and is refused the commit.
    await eventually(async () => (await fleet.logOf('robot-frozen')).some((l) => l.msg.startsWith('dossier taken over by another worker')), 'the woken worker to give the dossier up', 60_000);
    const outcome = await expectExactlyOnce(fleet, { fault: 'worker frozen past its lock before the commit', startedAt, campaignId, dossiers: ROWS, scenario: dipaPayment, entries: () => backOffice.state.entriesByKey() });
    expect(outcome).toMatchObject({ done: ROWS, failed: 0 });
  }, 240_000);

  it('kill -9 of Redis mid-campaign (append-only file, fsync every second)', async () => {
    const { backOffice, fleet, file } = await setUp();
    const startedAt = Date.now();
    await Promise.all([fleet.startWorker('robot-a'), fleet.startWorker('robot-b')]);
    const { campaignId } = await fleet.submit(file);
    await fleet.ended(campaignId, 4);
    await fleet.crashRedis();
    await fleet.ended(campaignId, ROWS);
    const outcome = await expectExactlyOnce(fleet, { fault: 'kill -9 of Redis', startedAt, campaignId, dossiers: ROWS, scenario: dipaPayment, entries: () => backOffice.state.entriesByKey() });
    expect(outcome.rejected).toBe(0);
  }, 240_000);
});
