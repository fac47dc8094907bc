import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LoginFailed, LoginRefused, ScenarioBug, ScenarioDefinitionError, TechnicalFailure } from '../../core/errors.ts';
import { DEFAULT_USER, startBackOffice, type BackOffice } from '../../fixtures/backoffice/index.ts';
import { Robot } from '../../runner/index.ts';
import { dipaPayment, dipaRow, type DipaRow } from '../../scenarios/dipa-payment.ts';
import { deriveScenario } from '../support/derive-scenario.ts';
import { requestRows } from '../support/dipa.ts';

/** Refused logins and scenario bugs, on real Chromium against the mock back office over HTTP. */
let backOffice: BackOffice;
let evidenceDir: string;

beforeAll(async () => {
  backOffice = await startBackOffice({ port: 0 });
  evidenceDir = await mkdtemp(join(tmpdir(), 'proweb-login-refused-'));
});
afterAll(async () => {
  await backOffice?.close();
  await rm(evidenceDir, { recursive: true, force: true });
});
beforeEach(() => {
  backOffice.state.reset();
  backOffice.faults.clear();
});

const rows = (count: number): DipaRow[] => requestRows(backOffice, (p) => p.conventioned, count).map((r) => dipaRow.parse(r));
const failedLogins = () => backOffice.state.loginAttempts.filter((a) => a.application === 'progres' && !a.ok).length;
const launch = (password: string, concurrency: number) =>
  Robot.launch({ applications: { progres: { baseUrl: backOffice.url, username: DEFAULT_USER.username, password } }, concurrency, evidenceDir, defaultTimeoutMs: 5_000 });

describe('a refused login', () => {
  it('costs the account one failed login for 6 dossiers on 4 slots; every dossier throws LoginRefused, not a technical failure', async () => {
    const robot = await launch('wrong-password', 4);
    try {
      const results = await Promise.allSettled(rows(6).map((row, i) => robot.run(dipaPayment, row, { dossierId: `wrong-${i}` })));
      for (const result of results) {
        expect(result.status).toBe('rejected');
        const error = (result as PromiseRejectedResult).reason as unknown;
        expect(error).toBeInstanceOf(LoginRefused);
        expect(error).not.toBeInstanceOf(TechnicalFailure);
        expect(error).toMatchObject({ application: 'progres', applicationMessage: 'Identifiant ou mot de passe incorrect.', username: DEFAULT_USER.username });
        expect((error as LoginRefused).hint).toContain('proweb application resume progres');
      }
      expect(failedLogins()).toBe(1);
      expect(robot.loginRefusals).toEqual([expect.objectContaining({ application: 'progres', message: 'Identifiant ou mot de passe incorrect.', username: DEFAULT_USER.username })]);
      expect(backOffice.state.payments).toHaveLength(0);

      // A later dossier is told at once: the form is not sent again.
      await expect(robot.run(dipaPayment, rows(1)[0]!, { dossierId: 'later' })).rejects.toBeInstanceOf(LoginRefused);
      expect(failedLogins()).toBe(1);

      // Once told the credentials were fixed, it tries again (here still wrong: one more refusal).
      expect(robot.forgetLoginRefusal('progres')).toBe(true);
      await expect(robot.run(dipaPayment, rows(1)[0]!, { dossierId: 'again' })).rejects.toBeInstanceOf(LoginRefused);
      expect(failedLogins()).toBe(2);
    } finally {
      await robot.close();
    }
  });

  it('is not what an error page on the login form is: that stays a technical failure, and is not remembered', async () => {
    const robot = await launch(DEFAULT_USER.password, 1);
    try {
      backOffice.faults.inject({ on: 'login', kind: 'http-500-before-commit' });
      const error = await robot.run(dipaPayment, rows(1)[0]!, { dossierId: 'login-500' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LoginFailed);
      expect(error).toBeInstanceOf(TechnicalFailure);
      expect((error as Error).message).toBe('login to progres failed: the application answered HTTP 500');
      expect(robot.loginRefusals).toEqual([]);
      expect(await robot.run(dipaPayment, rows(1)[0]!, { dossierId: 'login-ok' })).toMatchObject({ status: 'done' });
    } finally {
      await robot.close();
    }
  });
});

describe('a bug in a scenario', () => {
  it('is a ScenarioBug naming scenario and step, not a technical failure, when a value function throws a TypeError', async () => {
    const buggy = deriveScenario(dipaPayment, {
      id: 'dipa-typo',
      steps: (list) => list.map((s) =>
        s.action === 'fill' && s.target === 'paiement.montant' ? { ...s, value: (row: DipaRow) => (row as unknown as { montant: string }).montant.trim() } : s),
    });
    const robot = await launch(DEFAULT_USER.password, 1);
    try {
      const error = await robot.run(buggy, rows(1)[0]!, { dossierId: 'typo' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ScenarioBug);
      expect(error).not.toBeInstanceOf(TechnicalFailure);
      expect((error as Error).message).toMatch(/^dipa-typo step 6 \(fill paiement\.montant \[label "Montant \(€\)"\]\): bug in the scenario: TypeError: Cannot read properties of undefined/);
      expect(backOffice.state.payments).toHaveLength(0);
    } finally {
      await robot.close();
    }
  });

  it('is refused at load time when a reference names nothing in the screen map, or a parameterised element without its values', () => {
    const misspelt = () => deriveScenario(dipaPayment, { id: 'dipa-ref', steps: (list) => [...list.slice(0, 3), { action: 'click', target: 'fichePs.saisirPaiment' }, ...list.slice(4)] });
    expect(misspelt).toThrow(ScenarioDefinitionError);
    expect(misspelt).toThrow(/dipa-ref .*step 4 \(click\): target: unknown screen field "fichePs\.saisirPaiment"/);
    const bare = () => deriveScenario(dipaPayment, { id: 'dipa-bare', steps: (list) => list.map((s) => (s.action === 'guard' ? { ...s, found: 'fichePs.paiement' } : s)) });
    expect(bare).toThrow(/step 3 \(guard\): found: fichePs\.paiement is parameterised: name it with its values, \['fichePs\.paiement', \{ dispositif: \.\.\., periode: \.\.\. \}\]/);
  });
});
