import { describe, expect, it } from 'vitest';
import { ManualCheckNeeded, OutcomeUnknown, OwnershipLost } from '../../core/errors.ts';
import { AttemptLocks } from '../../queue/fleet/attempt-locks.ts';
import { CommitClaims } from '../../queue/fleet/commit-claims.ts';
import { dipaPayment, dipaRow, type DipaRow } from '../../scenarios/dipa-payment.ts';
import { requestRows } from '../support/dipa.ts';
import { useE2e } from '../support/e2e.ts';
import { eventually } from '../support/eventually.ts';

/**
 * The commit claim: one commit click per dossier, whatever the attempt or the machine,
 * taken in Redis in one script with the check of the dossier's attempt lock. Real Redis, real
 * Chromium, and a back office that accepts a second payment for the same period.
 */
const e2e = useE2e({ robot: { concurrency: 2, defaultTimeoutMs: 3_000 } });

const row = (): DipaRow => dipaRow.parse(requestRows(e2e.backOffice, (p) => p.conventioned, 1)[0]);
const paymentsOf = (r: DipaRow) => e2e.backOffice.state.payments.filter((p) => p.ps === r.ps && p.scheme === 'DIPA' && p.period === r.period);

/** A dossier's claims and its attempt lock held by `token`, as the worker takes it when an attempt starts. */
async function attempt(lockDurationMs: number, token = 'attempt-1') {
  const prefix = e2e.redis.prefix();
  const claims = new CommitClaims(e2e.redis.client, { prefix, lockDurationMs });
  const lockKey = new AttemptLocks(e2e.redis.client, { prefix, lockDurationMs }).keyOf('dipa-payment.d1');
  await e2e.redis.client.set(lockKey, token);
  const gate = (t: string, holder = `m|job-1|${t}`) => claims.gate({ scenarioId: 'dipa-payment', dossierId: 'd1', attemptKey: lockKey, token: t, holder });
  return { claims, lockKey, gate };
}

describe('the commit claim in Redis', () => {
  it('is granted once per commit step; a later attempt is told how long the first click may still land', async () => {
    const { gate, lockKey } = await attempt(5_000);
    expect(await gate('attempt-1').claim({ step: '10', timeoutMs: 2_000 })).toMatchObject({ granted: true });
    await e2e.redis.client.set(lockKey, 'attempt-2');
    const second = await gate('attempt-2').claim({ step: '10', timeoutMs: 2_000 });
    expect(second).toMatchObject({ granted: false, reason: 'claimed' });
    expect((second as { settleInMs: number }).settleInMs).toBeGreaterThan(5_000);
    expect((second as { settleInMs: number }).settleInMs).toBeLessThanOrEqual(7_000);
    // Another commit step of the same dossier has a claim of its own.
    expect(await gate('attempt-2').claim({ step: '12', timeoutMs: 2_000 })).toMatchObject({ granted: true });
  });

  it('is refused to an attempt whose lock another worker holds now', async () => {
    const { gate } = await attempt(5_000, 'the-other-machine');
    expect(await gate('frozen-attempt').claim({ step: '10', timeoutMs: 2_000 })).toMatchObject({ granted: false, reason: 'lost' });
  });

  it('is given back only by the attempt that took it, and then granted at once', async () => {
    const { gate, lockKey } = await attempt(5_000);
    await gate('attempt-1').claim({ step: '10', timeoutMs: 2_000 });
    await e2e.redis.client.set(lockKey, 'attempt-2');
    await gate('attempt-2').release('10');
    expect(await gate('attempt-2').claim({ step: '10', timeoutMs: 2_000 })).toMatchObject({ granted: false, reason: 'claimed' });
    await gate('attempt-1').release('10');
    expect(await gate('attempt-2').claim({ step: '10', timeoutMs: 2_000 })).toMatchObject({ granted: true });
  });
});

describe('the robot under a commit claim', () => {
  it('never clicks when its lock is lost, and enters nothing', async () => {
    const r = row();
    const { gate } = await attempt(5_000, 'the-other-machine');
    const error = await e2e.robot.run(dipaPayment, r, { dossierId: 'lost', commitGate: gate('frozen-attempt') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OwnershipLost);
    expect(paymentsOf(r)).toHaveLength(0);
  });

  it('stops at the next step once told the dossier is no longer its own', async () => {
    const r = row();
    const owned = new AbortController();
    owned.abort('lock renewal failed');
    const error = await e2e.robot.run(dipaPayment, r, { dossierId: 'aborted', signal: owned.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OwnershipLost);
    expect((error as Error).message).toContain('dipa-payment step 1');
    expect(paymentsOf(r)).toHaveLength(0);
  });

  it('after a click whose answer was an error page, leaves the dossier to a person once that click can no longer land', async () => {
    const r = row();
    const { gate, lockKey } = await attempt(1_000);
    e2e.backOffice.faults.inject({ on: 'payment-submit', kind: 'http-500-before-commit' });
    const first = await e2e.robot.run(dipaPayment, r, { dossierId: 'unknown', commitGate: gate('attempt-1') }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(OutcomeUnknown);
    await e2e.redis.client.set(lockKey, 'attempt-2');
    const second = await e2e.robot.run(dipaPayment, r, { dossierId: 'unknown', commitGate: gate('attempt-2') }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ManualCheckNeeded);
    expect((second as Error).message).toBe(`outcome unknown: check progres for ps ${r.ps}, period ${r.period}`);
    expect(paymentsOf(r)).toHaveLength(0);
  });

  it('after a click whose answer came too late, finds the payment and enters nothing more', async () => {
    const r = row();
    const { gate, lockKey } = await attempt(1_000);
    e2e.backOffice.faults.inject({ on: 'payment-submit', kind: 'delay', delayMs: 6_000 });
    const first = await e2e.robot.run(dipaPayment, r, { dossierId: 'slow', commitGate: gate('attempt-1') }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(OutcomeUnknown);
    await e2e.redis.client.set(lockKey, 'attempt-2');
    const second = await e2e.robot.run(dipaPayment, r, { dossierId: 'slow', commitGate: gate('attempt-2') });
    expect(second).toMatchObject({ status: 'done', alreadyEntered: true, reference: paymentsOf(r)[0]?.reference });
    expect(paymentsOf(r)).toHaveLength(1);
  });

  it('waits while an earlier click may land, and takes the payment that click made', async () => {
    const r = row();
    const { gate, lockKey } = await attempt(20_000);
    // An earlier attempt claimed the commit and clicked; its payment is not in Progrès yet.
    expect(await gate('attempt-1').claim({ step: '10', timeoutMs: 3_000 })).toMatchObject({ granted: true });
    await e2e.redis.client.set(lockKey, 'attempt-2');
    let heldBack = 0;
    const waiting = e2e.robot.run(dipaPayment, r, {
      dossierId: 'late', commitGate: gate('attempt-2'),
      onStep: (e) => { if (e.at.step.startsWith('submit') && e.outcome === 'failed') heldBack++; },
    });
    // The second attempt has passed its guard, found nothing, and been held back from clicking.
    await eventually(async () => heldBack > 0, 'the second attempt to be held back at the commit');
    // Now the earlier click lands (entered by a robot without a claim, as an answer arriving late).
    const landed = await e2e.robot.run(dipaPayment, r, { dossierId: 'the-earlier-click' });
    const outcome = await waiting;
    expect(outcome).toMatchObject({ status: 'done', alreadyEntered: true, reference: (landed as { reference: string }).reference });
    expect(paymentsOf(r)).toHaveLength(1);
  });
});
