import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BackOfficeUnavailable, ScreenChanged } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { DEFAULT_USER, startBackOffice, type BackOffice } from '../../fixtures/backoffice/index.ts';
import { formatNir, type BdoState } from '../../fixtures/bdo/index.ts';
import { Robot, type StepEvent } from '../../runner/index.ts';
import { bdo as bdoApplication, searchInsured } from '../../scenarios/applications/bdo.ts';
import { autonomisationAyantsDroit, type AutonomisationRow } from '../../scenarios/autonomisation-ayants-droit.ts';
import { css, optional } from '../../scenarios/dsl/index.ts';
import { deriveScenario, withElements } from '../support/derive-scenario.ts';
import { attachedAdult, unknownNir } from '../fixtures/bdo/helpers.ts';

/**
 * What leaves the robot (outcome, error, log line, step event) never quotes a dossier's
 * personal data in clear, whether the back office quotes it (a BDO refusal), Playwright does
 * (a navigation error on a `?nir=` URL) or the scenario's own selector does (a name).
 */

let backOffice: BackOffice;
let bdo: BdoState;
let robot: Robot;
const lines: string[] = [];

beforeAll(async () => {
  backOffice = await startBackOffice({ port: 0 });
  bdo = backOffice.apps.bdo;
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', destination: stream });
  const evidenceDir = await mkdtemp(join(tmpdir(), 'proweb-evidence-'));
  robot = await Robot.launch({ applications: { bdo: { baseUrl: backOffice.url, ...DEFAULT_USER } }, evidenceDir, defaultTimeoutMs: 5_000, logger });
});
afterAll(async () => {
  await robot?.close();
  await backOffice?.close();
});
beforeEach(() => {
  bdo.reset();
  backOffice.faults.clear();
  lines.length = 0;
});

/** A row for an adult dependant still attached to an insured person of the BDO. */
function rowFor(skip = 0): AutonomisationRow {
  const { insured, dependant } = attachedAdult(bdo, skip);
  return {
    insuredNir: insured.nir, dependantNir: dependant.nir, lastName: dependant.lastName, firstName: dependant.firstName,
    address: '7 rue des Canaris', postcode: '59500', city: 'Douai', regime: 'RG', effectiveDate: '2020-09-01', motif: 'MAJ',
  };
}

/** Every form a value may take in a text: as typed, spaced as the BDO prints NIRs. */
const formsOf = (row: AutonomisationRow) => [row.insuredNir, row.dependantNir, formatNir(row.insuredNir), formatNir(row.dependantNir), row.lastName, row.firstName, row.address];

/** The texts an error carries out of the robot: what the queue stores, logs and prints. */
function textsOf(error: Error): string {
  const parts: unknown[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) parts.push(e.message, e.stack, { ...e });
  return JSON.stringify(parts);
}

function expectNoneOf(values: string[], text: string): void {
  for (const value of values) expect(text, `"${value}" in clear`).not.toContain(value);
}

describe('what leaves the robot', () => {
  it('returns a BDO refusal quoting the NIR with the NIR masked, and logs it masked', async () => {
    const row = { ...rowFor(), insuredNir: unknownNir(bdo) };
    const events: StepEvent[] = [];
    const outcome = await robot.run(autonomisationAyantsDroit, row, { dossierId: 'refus', onStep: (e) => events.push(e) });
    // The NIR keeps what tells two dossiers apart (sex, year, key), never the rest.
    const masked = /Refus : aucun assuré ne correspond au NIR [12] \d{2} \*\* \*\* \*\*\* \*\*\* \d{2}\./;
    expect(outcome).toMatchObject({ status: 'rejected', reason: expect.stringMatching(masked) });
    expect(lines.join('')).toMatch(new RegExp(`"reason":"${masked.source}"`));
    expectNoneOf(formsOf(row), lines.join('') + JSON.stringify(events) + JSON.stringify(outcome));
  });

  it('throws a navigation error on a ?nir= URL with the NIR masked in its message, stack, cause and log line', async () => {
    const row = rowFor();
    // Logged in first, so that the dropped connection is the insured's record, opened by its NIR.
    await robot.run(autonomisationAyantsDroit, { ...row, insuredNir: unknownNir(bdo) }, { dossierId: 'login-first' });
    // Chromium sends a GET again once when a kept-alive connection closes without an answer.
    backOffice.faults.inject({ on: 'any', kind: 'drop-connection', times: 3 });
    const error = await robot.run(autonomisationAyantsDroit, row, { dossierId: 'drop' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackOfficeUnavailable);
    const message = (error as Error).message;
    expect(message).toMatch(/net::ERR_\w+ at http:\/\/127\.0\.0\.1:\d+\/bdo\/assures\?nir=[12] \d{2} \*\* \*\* \*\*\* \*\*\* \d{2}/);
    expect((error as Error).cause).toBeInstanceOf(Error);
    expectNoneOf(formsOf(row), textsOf(error as Error));
    const failed = lines.find((l) => l.includes('"msg":"dossier failed"'));
    expect(failed).toContain('/bdo/assures?nir=');
    expectNoneOf(formsOf(row), lines.join(''));
  });

  it('keeps a name a parameterised selector quotes out of the error, its step location, the step events and the log', async () => {
    const byName = deriveScenario(autonomisationAyantsDroit, {
      id: 'autonomisation-by-name',
      applications: [withElements(bdoApplication, 'dossierAssure', { ayantDroitNomme: optional(css('#ayants-droit tr[data-nom="{nom}"]')) })],
      steps: () => [
        searchInsured((r: AutonomisationRow) => r.insuredNir).step,
        { action: 'expect', target: ['dossierAssure.ayantDroitNomme', { nom: (r: AutonomisationRow) => `${r.lastName} ${r.firstName}` }], timeoutMs: 300 },
      ],
    });
    const row = rowFor(1);
    const events: StepEvent[] = [];
    const error = await robot.run(byName, row, { dossierId: 'by-name', onStep: (e) => events.push(e) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScreenChanged);
    const described = 'dossierAssure.ayantDroitNomme [css #ayants-droit tr[data-nom="{nom}"]]';
    expect((error as Error).message).toContain(`step 2 (expect ${described}): nothing matched on screen within 300 ms`);
    expect((error as ScreenChanged).at.target).toBe(described);
    expect(events.at(-1)).toMatchObject({ outcome: 'failed', at: { target: described } });
    expectNoneOf(formsOf(row), textsOf(error as Error) + JSON.stringify(events) + lines.join(''));
  });
});
