import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { formatFrenchDate } from '../../domain/french-formats.ts';
import { DEFAULT_USER } from '../../fixtures/backoffice/index.ts';
import type { BdoState, Beneficiary } from '../../fixtures/bdo/index.ts';
import {
  AUTONOMISATION_10_EXPECTATIONS, AUTONOMISATION_DEMO_EXPECTATIONS, autonomisationDemoCsv, autonomisationDemoRows, type AutonomisationDemoRow,
} from '../../fixtures/data/generate-autonomisation-sample.ts';
import type { LedgerEntry } from '../../gains/index.ts';
import { readInputRows } from '../../input/index.ts';
import { autonomisationAyantsDroit, autonomisationRow, type AutonomisationRow } from '../../scenarios/autonomisation-ayants-droit.ts';
import { Client } from '../fixtures/bdo/helpers.ts';
import { useE2e } from '../support/e2e.ts';
import { copySample, samplePath, writeInputFile } from '../support/files.ts';
import { validRows } from '../support/input-rows.ts';
import { entriesOf } from '../support/ledger.ts';
import { duplicatesIn, entryCount } from '../support/backoffice-entries.ts';

const e2e = useE2e({ applications: ['bdo'], robot: { concurrency: 4 } });
/** The BDO, as the back office serves it to this file's tests. */
const bdo = (): BdoState => e2e.backOffice.apps.bdo;

/**
 * Every dependant was detached once and given one record (the BDO would take a second of each);
 * `autonomised` of them went through both commits since the reset.
 */
function expectEachCommitOnce(autonomised: number): void {
  expect(duplicatesIn(bdo().entriesByKey())).toEqual([]);
  expect(entryCount(bdo().entriesByKey())).toBe(bdo().seededBeneficiaries.length + 2 * autonomised);
}

/** A campaign on a fresh key prefix (a fresh deployment) unless one is given. */
const run = (file: string, prefix?: string) => e2e.campaign(autonomisationAyantsDroit, file, { prefix });

const byNir = <T extends { nir: string }>(list: T[]) => list.sort((a, b) => a.nir.localeCompare(b.nir));

/** What the BDO must hold for an accepted row: the record as the file gives it, created by the robot. */
const recordOf = (row: AutonomisationRow) => ({
  nir: row.dependantNir, insuredNir: row.insuredNir, address: row.address, postcode: row.postcode, city: row.city, regime: row.regime,
  effectiveDate: row.effectiveDate, createdBy: DEFAULT_USER.username,
});
const recordsIn = (list: readonly Beneficiary[]) =>
  byNir(list.map((b) => ({ nir: b.nir, insuredNir: b.insuredNir, address: b.address, postcode: b.postcode, city: b.city, regime: b.regime, effectiveDate: b.effectiveDate, createdBy: b.createdBy })));
const detachmentOf = (row: AutonomisationRow) => ({ nir: row.dependantNir, insuredNir: row.insuredNir, motif: row.motif, effectiveDate: row.effectiveDate });
const detachmentsIn = (state: BdoState) =>
  byNir(state.detachments.map((d) => ({ nir: d.dependantNir, insuredNir: d.insuredNir, motif: d.motif, effectiveDate: d.effectiveDate })));

/** BEN-2020-000001 … BEN-2020-00000n: the references of n records entered through the screens. */
const referencesUpTo = (n: number) => Array.from({ length: n }, (_, i) => `BEN-2020-${String(i + 1).padStart(6, '0')}`);

/** The BDO's words for each refusal of the demo file. */
function expectedReason(r: AutonomisationDemoRow): string {
  const { nir_assure: insuredNir, nir_ayant_droit: dependantNir } = r.row;
  switch (r.kind) {
    case 'unknown-insured': return `Refus : aucun assuré ne correspond au NIR ${insuredNir}.`;
    case 'not-attached': return `Refus : le NIR ${dependantNir} ne figure pas parmi les ayants droit de l'assuré ${insuredNir}.`;
    case 'minor': {
      const dependant = bdo().insured.get(insuredNir)!.dependants.find((d) => d.nir === dependantNir)!;
      return `Refus : l'ayant droit est mineur (né(e) le ${formatFrenchDate(dependant.birthDate)}) ; il ne peut pas disposer de son propre dossier de bénéficiaire.`;
    }
    default: throw new Error(`${r.kind} is not a refusal`);
  }
}

const REFUSALS = new Set(['unknown-insured', 'not-attached', 'minor']);
const secondsPerDossier = (entries: LedgerEntry[]) => entries.reduce((s, e) => s + e.robotMs, 0) / entries.length / 1000;

describe('autonomisation of adult dependants in the BDO (real Redis, Chromium and HTTP)', () => {
  it('autonomises each dependant of autonomisation-10.csv exactly once and records 10 dossiers', async () => {
    const file = await copySample('autonomisation-10.csv');
    const expected = AUTONOMISATION_10_EXPECTATIONS;
    const { ledger, result } = run(file);
    const { submission, finished } = await result;
    expect(submission).toMatchObject({ rows: expected.rows, invalidRows: 0, alreadyDone: 0 });
    expect(finished.map((f) => f.status)).toEqual(Array(expected.accepted).fill('done'));

    const rows = [...(await validRows(autonomisationRow, file)).values()];
    expect(recordsIn(bdo().beneficiaries)).toEqual(byNir(rows.map(recordOf)));
    expect(detachmentsIn(bdo())).toEqual(byNir(rows.map(detachmentOf)));
    expect(bdo().beneficiaries.map((b) => b.reference).sort()).toEqual(referencesUpTo(expected.accepted));
    expectEachCommitOnce(expected.accepted);
    for (const row of rows) {
      const dependant = bdo().insured.get(row.insuredNir)!.dependants.find((d) => d.nir === row.dependantNir)!;
      expect(dependant.status).toBe('Détaché');
    }

    const entries = await entriesOf(ledger);
    expect(entries).toHaveLength(expected.accepted);
    expect(entries.every((e) => e.status === 'done' && !e.alreadyEntered && e.attempts === 1 && e.manualMinutesSaved === autonomisationAyantsDroit.manualMinutes)).toBe(true);
    expect(new Set(entries.map((e) => e.reference))).toEqual(new Set(bdo().beneficiaries.map((b) => b.reference)));
    console.info(`autonomisation-ayants-droit: ${secondsPerDossier(entries).toFixed(2)} robot seconds per dossier entered (${entries.length} dossiers, 4 browser contexts)`);
  });

  it('runs the demo file: invalid rows reported, refusals rejected in the BDO’s words, autonomised dependants found, the rest entered; a second run enters nothing', async () => {
    const file = await copySample('autonomisation-demo.csv');
    expect(await readFile(file, 'utf8')).toBe(autonomisationDemoCsv());
    const expected = AUTONOMISATION_DEMO_EXPECTATIONS;
    // The generator's rows in file order: row n of the file (header = row 1) is rows[n - 2].
    const demo = autonomisationDemoRows().map((r, i) => ({ ...r, rowNumber: i + 2 }));
    const refused = demo.filter((r) => REFUSALS.has(r.kind));
    const refusedCount = expected.refused.unknownInsured + expected.refused.notAttached + expected.refused.minor;
    const doneCount = expected.accepted + expected.alreadyEntered.length;
    expect(refused).toHaveLength(refusedCount);

    const prefix = e2e.redis.prefix();
    const { ledger, result } = run(file, prefix);
    const { submission, finished } = await result;

    // Invalid rows never reach the BDO; each is reported with its file, row and column.
    expect(submission).toMatchObject({ rows: expected.rows, invalidRows: expected.invalid, alreadyDone: 0 });
    expect(submission.invalid.map((p) => p.rowNumber).sort((a, b) => a - b)).toEqual(demo.filter((r) => r.kind === 'invalid').map((r) => r.rowNumber));
    expect(submission.invalid.map((p) => p.field).sort()).toEqual(['code_postal', 'date_effet', 'nir_ayant_droit', 'regime']);
    const reasons: Record<string, string> = { nir_ayant_droit: 'has a wrong key', code_postal: '"5900"', regime: '"MSA"', date_effet: '"31/09/2020"' };
    for (const p of submission.invalid) expect(p).toMatchObject({ file: 'autonomisation-demo.csv', reason: expect.stringContaining(reasons[p.field]!) });
    expect(finished).toHaveLength(expected.rows - expected.invalid);

    const byRow = new Map(finished.map((f) => [f.rowNumber, f]));
    for (const r of refused) {
      // In the BDO's words, the dossier's personal values masked (its NIRs are declared personal).
      const masked = autonomisationAyantsDroit.scrubberFor(autonomisationRow.parse(r.row)).text(expectedReason(r));
      expect(masked).not.toContain(r.row.nir_assure);
      expect(byRow.get(r.rowNumber), `row ${r.rowNumber} (${r.kind})`).toMatchObject({ status: 'rejected', reason: masked });
    }
    for (const r of expected.alreadyEntered) {
      const row = demo.find((d) => d.row.nir_ayant_droit === r.nirAyantDroit)!;
      expect(byRow.get(row.rowNumber), `row ${row.rowNumber}`).toMatchObject({ status: 'done', reference: r.reference });
    }
    expect(finished.filter((f) => f.status === 'done')).toHaveLength(doneCount);
    expect(finished.filter((f) => f.status === 'rejected')).toHaveLength(refusedCount);

    // The BDO holds exactly the accepted rows' detachments and records; nothing for refusals or autonomised dependants.
    const valid = await validRows(autonomisationRow, file);
    const accepted = demo.filter((r) => r.kind === 'accepted').map((r) => valid.get(r.rowNumber)!);
    expect(accepted).toHaveLength(expected.accepted);
    expect(recordsIn(bdo().beneficiaries)).toEqual(byNir(accepted.map(recordOf)));
    expect(detachmentsIn(bdo())).toEqual(byNir(accepted.map(detachmentOf)));
    expect(bdo().beneficiaries.map((b) => b.reference).sort()).toEqual(referencesUpTo(expected.accepted));
    for (const r of expected.alreadyEntered) expect(bdo().beneficiaryOf(r.nirAyantDroit)?.reference).toBe(r.reference);
    expectEachCommitOnce(expected.accepted);
    for (const r of refused) expect(bdo().beneficiaryOf(r.row.nir_ayant_droit)).toBeUndefined();

    const entries = await entriesOf(ledger);
    expect(entries).toHaveLength(doneCount + refusedCount);
    expect(entries.filter((e) => e.alreadyEntered).map((e) => e.reference).sort()).toEqual(expected.alreadyEntered.map((r) => r.reference).sort());
    expect(entries.filter((e) => e.status === 'rejected').every((e) => e.manualMinutesSaved === 0 && e.attempts === 1)).toBe(true);
    const entered = entries.filter((e) => e.status === 'done' && !e.alreadyEntered);
    console.info(`autonomisation-ayants-droit demo: ${secondsPerDossier(entered).toFixed(2)} robot seconds per dossier entered, ${secondsPerDossier(entries).toFixed(2)} over all ${entries.length} dossiers`);

    // The same file again: the ledger knows what is done, the BDO refuses the refusals again, nothing new is entered.
    const again = run(file, prefix);
    const second = await again.result;
    expect(second.submission).toMatchObject({ rows: expected.rows, invalidRows: expected.invalid, alreadyDone: doneCount });
    expect(second.finished.map((f) => f.status)).toEqual(Array(refusedCount).fill('rejected'));
    expect(bdo().beneficiaries).toHaveLength(expected.accepted);
    expect(bdo().detachments).toHaveLength(expected.accepted);
    expectEachCommitOnce(expected.accepted);
    expect(new Set((await entriesOf(again.ledger)).filter((e) => e.status === 'done').map((e) => e.dossierId)).size).toBe(doneCount);
  });

  it('resumes a dependant detached without a record (an interrupted run): creates the record, never detaches twice', async () => {
    // One line of the sample file, on its own.
    const [header, line] = (await readFile(samplePath('autonomisation-10.csv'), 'utf8')).split('\r\n');
    const file = await writeInputFile('autonomisation-reprise.csv', `${header}\r\n${line}\r\n`);
    const [row] = [...(await validRows(autonomisationRow, file)).values()];
    expect(row).toBeDefined();

    // A technician (or a run cut short) detached the dependant through the application, and no more.
    const client = new Client((path, init) => fetch(e2e.backOffice.url + path, { ...init, redirect: 'manual' }));
    expect((await client.login()).status).toBe(302);
    const detached = await client.detach(row!.insuredNir, row!.dependantNir, { motif: 'DEM', date_effet: '15/09/2020' });
    expect(detached.status).toBe(303);
    const dependant = () => bdo().insured.get(row!.insuredNir)!.dependants.find((d) => d.nir === row!.dependantNir)!;
    expect(dependant().status).toBe('Détaché');
    expect(bdo().detachments).toHaveLength(1);
    expect(bdo().beneficiaryOf(row!.dependantNir)).toBeUndefined();

    const { ledger, result } = run(file);
    const { finished } = await result;
    expect(finished).toEqual([expect.objectContaining({ status: 'done', reference: expect.stringMatching(/^BEN-2020-\d{6}$/) })]);

    // One record, the file's values; the detachment is still the one made by hand.
    expect(recordsIn(bdo().beneficiaries)).toEqual([recordOf(row!)]);
    expect(bdo().beneficiaries[0]!.reference).toBe(finished[0]!.reference);
    expect(bdo().detachments).toEqual([expect.objectContaining({ dependantNir: row!.dependantNir, motif: 'DEM', effectiveDate: '2020-09-15' })]);
    expectEachCommitOnce(1);
    const entries = await entriesOf(ledger);
    expect(entries).toEqual([expect.objectContaining({ status: 'done', alreadyEntered: false, attempts: 1, reference: finished[0]!.reference })]);
  });

  it('changes nothing in a dry run: it stops before confirming the detachment', async () => {
    let first: AutonomisationRow | undefined;
    for await (const { raw } of readInputRows(samplePath('autonomisation-10.csv'))) {
      first = autonomisationRow.parse(raw);
      break;
    }
    const outcome = await e2e.robot.run(autonomisationAyantsDroit, first!, { dossierId: 'dry', dryRun: true });
    expect(outcome).toMatchObject({ status: 'done', dryRun: true });
    expect(bdo().detachments).toHaveLength(0);
    expect(bdo().beneficiaries).toHaveLength(0);
  });
});
