import { describe, expect, it } from 'vitest';
import { formatCentsForDisplay } from '../../domain/french-formats.ts';
import { DEFAULT_USER } from '../../fixtures/backoffice/index.ts';
import { PRIME_COVID_10_EXPECTATIONS, PRIME_COVID_DEMO_EXPECTATIONS, type PrimeCovidRefusal } from '../../fixtures/data/generate-prime-covid-sample.ts';
import type { EvpEntry, GrhState } from '../../fixtures/grh/index.ts';
import type { LedgerEntry } from '../../gains/index.ts';
import { primeCovid, primeCovidRow, type PrimeCovidRow } from '../../scenarios/prime-covid.ts';
import { useE2e } from '../support/e2e.ts';
import { copySample } from '../support/files.ts';
import { validRows } from '../support/input-rows.ts';
import { entriesOf } from '../support/ledger.ts';
import { duplicatesIn, entryCount } from '../support/backoffice-entries.ts';

/**
 * Redis, a back office and a robot on it for the tests of the calling describe block. GRH accepts
 * a second bonus for an agent (its default), so only the robot keeps each bonus single;
 * `formTokens: false` also takes away the screen's refusal of a form posted twice.
 */
const withBackOffice = (formTokens: boolean) => useE2e({ applications: ['grh'], backOffice: { applications: { grh: { formTokens } } }, robot: { concurrency: 4 } });

/** Every Covid bonus GRH holds is the only one of its agent; `entered` of them came through the screens. */
function expectOneBonusPerAgent(grh: GrhState, entered: number): void {
  expect(duplicatesIn(grh.entriesByKey())).toEqual([]);
  expect(entryCount(grh.entriesByKey())).toBe(grh.seededEntries.length + entered);
}

/** What GRH must hold for an accepted row: the bonus as the file gives it. */
const recordOf = (row: PrimeCovidRow) => ({ matricule: row.matricule, rubrique: row.bonusType, amountCents: row.amountCents, month: `${row.payMonth.slice(3)}-${row.payMonth.slice(0, 2)}` });
const recordsIn = (entries: readonly EvpEntry[]) =>
  entries.map((e) => ({ matricule: e.matricule, rubrique: e.rubrique, amountCents: e.amountCents, month: e.month })).sort((a, b) => a.matricule.localeCompare(b.matricule));

/** EVP-2020-000045 … EVP-2020-000054 */
function referencesBetween(first: string, last: string): string[] {
  const n = (r: string) => Number(r.slice(-6));
  return Array.from({ length: n(last) - n(first) + 1 }, (_, i) => `EVP-2020-${String(n(first) + i).padStart(6, '0')}`);
}

/** Spaces as the robot reads them (narrow no-break spaces included). */
const spaced = (s: string) => s.replace(/\s+/g, ' ');

/** GRH's words for each refusal, for the agent of the row (the matricule is personal: masked). */
function expectedReason(refusal: PrimeCovidRefusal): string {
  switch (refusal) {
    case 'agent-inconnu': return 'Aucun agent ne correspond au matricule ***.';
    case 'agent-sorti': return 'Sorti des effectifs';
    case 'plafond-depasse': return spaced(`Refus : le montant de ${formatCentsForDisplay(150_000)} dépasse le plafond de la rubrique PCV1000 (${formatCentsForDisplay(100_000)}).`);
    case 'mois-cloture': return 'Refus : la paie de 05/2020 est clôturée ; saisie impossible sur ce mois.';
  }
}

const secondsPerDossier = (entries: LedgerEntry[]) => entries.reduce((s, e) => s + e.robotMs, 0) / entries.length / 1000;

describe.each([{ formTokens: true }, { formTokens: false }])('a Covid bonus campaign in GRH, form tokens $formTokens (real Redis, Chromium and HTTP)', ({ formTokens }) => {
  const e2e = withBackOffice(formTokens);

  it('enters each bonus of prime-covid-10.csv exactly once and records 10 dossiers', async () => {
    const grh = e2e.backOffice.apps.grh;
    const file = await copySample('prime-covid-10.csv');
    const expected = PRIME_COVID_10_EXPECTATIONS;
    const { ledger, result } = e2e.campaign(primeCovid, file);
    const { submission, finished } = await result;
    expect(submission).toMatchObject({ rows: expected.rows, invalidRows: 0, alreadyDone: 0 });
    expect(finished.map((f) => f.status)).toEqual(Array(expected.accepted).fill('done'));

    const rows = [...(await validRows(primeCovidRow, file)).values()];
    expect(recordsIn(grh.entries)).toEqual(rows.map(recordOf).sort((a, b) => a.matricule.localeCompare(b.matricule)));
    expect(grh.entries.every((e) => e.enteredBy === DEFAULT_USER.username)).toBe(true);
    expect(grh.entries.reduce((s, e) => s + e.amountCents, 0)).toBe(expected.acceptedTotalCents);
    expect(grh.entries.map((e) => e.reference).sort()).toEqual(referencesBetween(expected.firstReference, expected.lastReference));
    expectOneBonusPerAgent(grh, expected.accepted);

    const entries = await entriesOf(ledger);
    expect(entries).toHaveLength(expected.accepted);
    expect(entries.every((e) => e.status === 'done' && !e.alreadyEntered && e.manualMinutesSaved === primeCovid.manualMinutes)).toBe(true);
    expect(new Set(entries.map((e) => e.reference))).toEqual(new Set(grh.entries.map((e) => e.reference)));
    console.info(`prime-covid: ${secondsPerDossier(entries).toFixed(2)} robot seconds per dossier entered (${entries.length} dossiers, 4 browser contexts)`);
  });
});

describe('a Covid bonus campaign of every kind of row (real Redis, Chromium and HTTP)', () => {
  const e2e = withBackOffice(true);

  it('runs the demo file: invalid rows reported, refusals rejected in GRH’s words, bonuses already entered found, the rest entered; a second run enters nothing', async () => {
    const grh = e2e.backOffice.apps.grh;
    const file = await copySample('prime-covid-demo.csv');
    const expected = PRIME_COVID_DEMO_EXPECTATIONS;
    const prefix = e2e.redis.prefix();
    const { ledger, result } = e2e.campaign(primeCovid, file, { prefix });
    const { submission, finished } = await result;

    // Invalid rows never reach GRH; rows are numbered as in the file (header = row 1).
    expect(submission).toMatchObject({ rows: expected.rows, invalidRows: expected.invalid, alreadyDone: 0 });
    expect(submission.invalid).toEqual(
      expected.invalidRows.map((r) => ({ file: 'prime-covid-demo.csv', rowNumber: r.row + 1, field: r.column, reason: expect.stringContaining(`"${r.value}"`) })),
    );
    expect(finished).toHaveLength(expected.rows - expected.invalid);

    const byRow = new Map(finished.map((f) => [f.rowNumber, f]));
    for (const r of expected.refusedRows) {
      expect(byRow.get(r.row + 1), `row ${r.row + 1} (${r.refusal})`).toMatchObject({ status: 'rejected', reason: expectedReason(r.refusal) });
    }
    for (const r of expected.alreadyEntered) {
      expect(byRow.get(r.row + 1), `row ${r.row + 1}`).toMatchObject({ status: 'done', reference: r.reference });
    }
    expect(finished.filter((f) => f.status === 'done')).toHaveLength(expected.done);
    expect(finished.filter((f) => f.status === 'rejected')).toHaveLength(expected.refused);

    // GRH holds exactly the accepted rows' bonuses; nothing for refused or already-paid agents.
    const valid = await validRows(primeCovidRow, file);
    const notEntered = new Set([...expected.refusedRows, ...expected.alreadyEntered].map((r) => r.row + 1));
    const accepted = [...valid].filter(([rowNumber]) => !notEntered.has(rowNumber)).map(([, row]) => row);
    expect(accepted).toHaveLength(expected.accepted);
    expect(recordsIn(grh.entries)).toEqual(accepted.map(recordOf).sort((a, b) => a.matricule.localeCompare(b.matricule)));
    expect(grh.entries.reduce((s, e) => s + e.amountCents, 0)).toBe(expected.acceptedTotalCents);
    expect(grh.entries.map((e) => e.reference).sort()).toEqual(referencesBetween(expected.firstReference, expected.lastReference));
    for (const r of expected.alreadyEntered) {
      expect(grh.covidBonusFor(r.matricule)?.reference).toBe(r.reference);
      expect(grh.entriesFor(r.matricule).filter((e) => e.rubrique.startsWith('PCV'))).toHaveLength(1);
    }
    // GRH would have taken a second bonus: the agents already paid were found by the robot's guard.
    expectOneBonusPerAgent(grh, expected.accepted);

    const entries = await entriesOf(ledger);
    expect(entries).toHaveLength(expected.done + expected.refused);
    expect(entries.filter((e) => e.alreadyEntered).map((e) => e.reference).sort()).toEqual(expected.alreadyEntered.map((r) => r.reference).sort());
    expect(entries.filter((e) => e.status === 'rejected').every((e) => e.manualMinutesSaved === 0 && e.attempts === 1)).toBe(true);
    const entered = entries.filter((e) => e.status === 'done' && !e.alreadyEntered);
    console.info(`prime-covid demo: ${secondsPerDossier(entered).toFixed(2)} robot seconds per dossier entered, ${secondsPerDossier(entries).toFixed(2)} over all ${entries.length} dossiers`);

    // The same file again: the ledger knows what is done, GRH refuses the refusals again, nothing new is entered.
    const again = e2e.campaign(primeCovid, file, { prefix });
    const second = await again.result;
    expect(second.submission).toMatchObject({ rows: expected.rows, invalidRows: expected.invalid, alreadyDone: expected.done });
    expect(second.finished.map((f) => f.status)).toEqual(Array(expected.refused).fill('rejected'));
    expect(grh.entries).toHaveLength(expected.accepted);
    expectOneBonusPerAgent(grh, expected.accepted);
    expect(new Set((await entriesOf(again.ledger)).filter((e) => e.status === 'done').map((e) => e.dossierId)).size).toBe(expected.done);
  });
});
