import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LoginRefused, ScreenChanged, BackOfficeUnavailable } from '../../core/errors.ts';
import { DEFAULT_USER, startBackOffice, type BackOffice } from '../../fixtures/backoffice/index.ts';
import { OutcomeUnknown, TechnicalFailure } from '../../core/errors.ts';
import { Robot } from '../../runner/index.ts';
import { dipaPayment, dipaRow, type DipaRow } from '../../scenarios/dipa-payment.ts';
import { progres } from '../../scenarios/applications/progres.ts';
import { label } from '../../scenarios/dsl/index.ts';
import { deriveScenario, withElements } from '../support/derive-scenario.ts';
import { requestRows } from '../support/dipa.ts';

let backOffice: BackOffice;
let robot: Robot;
let evidenceDir: string;

beforeAll(async () => {
  backOffice = await startBackOffice({ port: 0 });
  evidenceDir = await mkdtemp(join(tmpdir(), 'proweb-evidence-'));
  robot = await Robot.launch({ applications: { progres: { baseUrl: backOffice.url, ...DEFAULT_USER } }, concurrency: 1, evidenceDir, defaultTimeoutMs: 3_000 });
});
afterAll(async () => {
  await robot?.close();
  await backOffice?.close();
});
beforeEach(() => {
  backOffice.state.reset();
  backOffice.faults.clear();
});

const rows = (count: number, conventioned = true): DipaRow[] => requestRows(backOffice, (p) => p.conventioned === conventioned, count).map((r) => dipaRow.parse(r));

describe('the robot', () => {
  it('enters a payment and returns the back office’s reference', async () => {
    const [row] = rows(1);
    const outcome = await robot.run(dipaPayment, row!, { dossierId: 'd1' });
    expect(outcome).toMatchObject({ status: 'done', alreadyEntered: false });
    expect(backOffice.state.payments).toEqual([expect.objectContaining({ ps: row!.ps, period: row!.period, amountCents: row!.advanceCents, reference: (outcome as { reference: string }).reference })]);
  });

  it('logs in again when its session expired between two dossiers', async () => {
    const [first, second] = rows(2);
    await robot.run(dipaPayment, first!, { dossierId: 'a' });
    backOffice.state.expireAllSessions();
    expect(await robot.run(dipaPayment, second!, { dossierId: 'b' })).toMatchObject({ status: 'done' });
    expect(backOffice.state.payments).toHaveLength(2);
  });

  it('finds a payment already entered and enters nothing (the guard)', async () => {
    const [row] = rows(1);
    const first = await robot.run(dipaPayment, row!, { dossierId: 'g' });
    const again = await robot.run(dipaPayment, row!, { dossierId: 'g' });
    expect(again).toMatchObject({ status: 'done', alreadyEntered: true, reference: (first as { reference: string }).reference });
    expect(backOffice.state.payments).toHaveLength(1);
  });

  it('returns a rejection with the back office’s words for a professional it does not know', async () => {
    const [row] = rows(1);
    const unknown = { ...row!, ps: '629966532' };
    expect(await robot.run(dipaPayment, unknown, { dossierId: 'u' })).toMatchObject({
      status: 'rejected',
      reason: 'Aucun professionnel de santé ne correspond au numéro 629966532.',
    });
  });

  it('fails with ScreenChanged naming scenario, step and selector when a field is gone, and keeps a screenshot', async () => {
    // The screen map no longer matches the screen, as when Progrès renames a field.
    const broken = deriveScenario(dipaPayment, { id: 'dipa-broken', timeoutMs: 500, applications: [withElements(progres, 'paiement', { montant: label('Montant à payer') })] });
    const error = await robot.run(broken, rows(1)[0]!, { dossierId: 'broken' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScreenChanged);
    expect((error as Error).message).toMatch(/^dipa-broken step 6 \(fill paiement\.montant \[label "Montant à payer"\]\): nothing matched on screen within 500 ms/);
    const evidence = (error as ScreenChanged).evidence;
    expect(evidence.some((f) => f.endsWith('.png'))).toBe(true);
    expect(evidence.every((f) => existsSync(f))).toBe(true);
    expect(backOffice.state.payments).toHaveLength(0);
  });

  it('reports a back office error page as a technical failure to retry', async () => {
    // Logged in first, so that the error page answers the dossier's own first screen.
    await robot.run(dipaPayment, rows(2)[1]!, { dossierId: 'e500-before' });
    backOffice.faults.inject({ on: 'any', kind: 'http-500-before-commit' });
    const error = await robot.run(dipaPayment, rows(1)[0]!, { dossierId: 'e500' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackOfficeUnavailable);
    expect((error as Error).message).toContain('step 1 (open fichePs: search the professional');
    expect((error as Error).message).toContain('the application answered HTTP 500');
  });

  it('reports an error page after the commit click as outcome unknown, never as a refusal', async () => {
    backOffice.faults.inject({ on: 'payment-submit', kind: 'http-500-before-commit' });
    const error = await robot.run(dipaPayment, rows(1)[0]!, { dossierId: 'e500c' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknown);
    expect(error).toBeInstanceOf(TechnicalFailure);
    expect((error as Error).message).toContain('step 10 (submit paiement.valider [button "Valider le paiement"]): outcome unknown after the commit click in progres: the application answered HTTP 500');
  });

  it('says that the login was refused, in the application\'s words, when the credentials are refused', async () => {
    const wrong = await Robot.launch({ applications: { progres: { baseUrl: backOffice.url, username: 'robot.dipa', password: 'wrong' } }, evidenceDir });
    try {
      const error = await wrong.run(dipaPayment, rows(1)[0]!, { dossierId: 'l' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LoginRefused);
      expect((error as Error).message).toBe('login to progres refused for account robot.dipa: Identifiant ou mot de passe incorrect.');
    } finally {
      await wrong.close();
    }
  });
});
