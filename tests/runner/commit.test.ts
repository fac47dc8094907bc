import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BusinessRejection, OutcomeUnknown } from '../../core/errors.ts';
import { DEFAULT_USER, startBackOffice, type BackOffice } from '../../fixtures/backoffice/index.ts';
import { Robot } from '../../runner/index.ts';
import { dipaPayment, dipaRow, type DipaRow } from '../../scenarios/dipa-payment.ts';
import { requestRows } from '../support/dipa.ts';

/**
 * The commit click, against a Progrès that accepts a form posted twice (no single-use
 * token) and a second payment for the same period: what the robot sends once is entered
 * once, and an answer it did not get is never taken for a refusal.
 */
let backOffice: BackOffice;
let robot: Robot;

beforeAll(async () => {
  backOffice = await startBackOffice({ port: 0, applications: { progres: { formTokens: false } } });
  robot = await Robot.launch({ applications: { progres: { baseUrl: backOffice.url, ...DEFAULT_USER } }, defaultTimeoutMs: 3_000 });
});
afterAll(async () => {
  await robot?.close();
  await backOffice?.close();
});
beforeEach(() => {
  backOffice.state.reset();
  backOffice.faults.clear();
});

const rows = (count: number): DipaRow[] => requestRows(backOffice, (p) => p.conventioned, count).map((r) => dipaRow.parse(r));
const paymentsOf = (r: DipaRow) => backOffice.state.payments.filter((p) => p.ps === r.ps && p.scheme === 'DIPA' && p.period === r.period);

describe('the commit click', () => {
  it('is sent once when the connection is cut after the application committed (the browser does not resend it)', async () => {
    // Logged in and warm first: the commit then goes over a reused keep-alive connection,
    // the one Chromium would silently post again on.
    const [warm, r] = rows(2);
    await robot.run(dipaPayment, warm!, { dossierId: 'warm' });
    backOffice.faults.inject({ on: 'commit', kind: 'drop-connection-after-commit' });
    const error = await robot.run(dipaPayment, r!, { dossierId: 'cut' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknown);
    expect(paymentsOf(r!)).toHaveLength(1);
    // The next attempt's guard finds it.
    expect(await robot.run(dipaPayment, r!, { dossierId: 'cut' })).toMatchObject({ status: 'done', alreadyEntered: true, reference: paymentsOf(r!)[0]!.reference });
    expect(paymentsOf(r!)).toHaveLength(1);
  });

  it('is sent once when its answer comes after the step timeout', async () => {
    const [r] = rows(1);
    backOffice.faults.inject({ on: 'commit', kind: 'delay', delayMs: 4_500 });
    const error = await robot.run(dipaPayment, r!, { dossierId: 'slow' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknown);
    expect(paymentsOf(r!)).toHaveLength(1);
  });

  it('takes the login page after the click for outcome unknown, not for a refusal', async () => {
    const [r] = rows(1);
    backOffice.faults.inject({ on: 'commit', kind: 'expire-session' });
    const error = await robot.run(dipaPayment, r!, { dossierId: 'expired' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknown);
    expect(error).not.toBeInstanceOf(BusinessRejection);
    expect(paymentsOf(r!)).toHaveLength(0);
  });
});

describe('the commit click on a form with a single-use token', () => {
  it('takes a lost answer for outcome unknown, and the next attempt finds the payment', async () => {
    const withTokens = await startBackOffice({ port: 0 });
    const own = await Robot.launch({ applications: { progres: { baseUrl: withTokens.url, ...DEFAULT_USER } }, defaultTimeoutMs: 3_000 });
    try {
      const [r] = requestRows(withTokens, (p) => p.conventioned, 1).map((x) => dipaRow.parse(x));
      // The answer to the first post is lost: the payment is there, the robot does not know it.
      withTokens.faults.inject({ on: 'commit', kind: 'http-500-after-commit' });
      const first = await own.run(dipaPayment, r!, { dossierId: 't' }).catch((e: unknown) => e);
      expect(first).toBeInstanceOf(OutcomeUnknown);
      expect(await own.run(dipaPayment, r!, { dossierId: 't' })).toMatchObject({ status: 'done', alreadyEntered: true });
      expect(withTokens.state.payments.filter((p) => p.ps === r!.ps)).toHaveLength(1);
    } finally {
      await own.close();
      await withTokens.close();
    }
  });
});
