import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_USER, FORFAIT_YEAR, payeeReferenceOf, type Payment } from '../../fixtures/backoffice/index.ts';
import {
  FORFAIT_PS_DEMO_EXPECTATIONS,
  forfaitPsDemoRows,
  formatForfaitPsCsv,
  type ForfaitPsDemoRow,
} from '../../fixtures/data/generate-forfait-ps-sample.ts';
import type { LedgerEntry } from '../../gains/index.ts';
import type { DossierFinished } from '../../queue/fleet/worker.ts';
import { forfaitPs, forfaitPsRow } from '../../scenarios/forfait-ps.ts';
import { useE2e } from '../support/e2e.ts';
import { copySample } from '../support/files.ts';
import { validRows } from '../support/input-rows.ts';
import { entriesOf } from '../support/ledger.ts';
import { duplicatesIn, entryCount } from '../support/backoffice-entries.ts';

const e2e = useE2e({ applications: ['ameli-pro', 'progres'], robot: { concurrency: 4 } });

/** A fresh folder: the campaign writes its rejection file next to its input. */
const freshDir = () => mkdtemp(join(tmpdir(), 'proweb-forfait-ps-'));

/** A campaign on a fresh key prefix (a fresh deployment) unless one is given. */
const run = (file: string, prefix?: string) => e2e.campaign(forfaitPs, file, { prefix });

/** The PS numbers of a file's valid rows. */
const validPs = async (file: string) => [...(await validRows(forfaitPsRow, file)).values()].map((r) => r.ps);

const fsPayments = () => e2e.backOffice.state.payments.filter((p) => p.scheme === 'FS');

/** Each FS payment is the forfait ameli pro shows: its amount due, to the payee Progrès holds, with the forfait's number in the motif. */
function expectPaidAsAmeliProSays(payments: readonly Payment[]): void {
  for (const p of payments) {
    const forfait = e2e.backOffice.state.forfaitFor(p.ps);
    expect(forfait, `forfait of ${p.ps}`).toBeDefined();
    expect(p, `payment of ${p.ps}`).toMatchObject({
      scheme: 'FS', year: FORFAIT_YEAR, amountCents: forfait!.amountDueCents, settlement: 'REF', payeeRef: payeeReferenceOf(p.ps),
      motif: `Forfait structure ${FORFAIT_YEAR} ${forfait!.id}`, enteredBy: DEFAULT_USER.username,
    });
  }
}

/** Progrès refuses an FS amount other than the one due: seeing it would mean the robot misread ameli pro. */
const AMOUNT_REFUSAL = /ne correspond pas au forfait dû/;
function expectNoAmountRefusal(finished: readonly DossierFinished[], entries: readonly LedgerEntry[]): void {
  expect(finished.filter((f) => AMOUNT_REFUSAL.test(f.reason ?? ''))).toEqual([]);
  expect(entries.filter((e) => AMOUNT_REFUSAL.test(e.reason ?? ''))).toEqual([]);
}

/** The reason each kind of refused row must end with, in the back office's words. */
function expectedReason(r: ForfaitPsDemoRow): string | undefined {
  const ps = r.row.numero_ps;
  switch (r.kind) {
    case 'no-forfait': return `Aucun forfait structure n'est ouvert pour le professionnel ${ps} au titre de ${FORFAIT_YEAR}.`;
    case 'unknown-ps': return `Aucun professionnel de santé ne correspond au numéro ${ps}.`;
    case 'not-conventioned': return `Refus : le professionnel ${ps} n'est pas conventionné ; paiement Forfait structure ${FORFAIT_YEAR} impossible.`;
    default: return undefined;
  }
}

const secondsPerDossier = (entries: readonly LedgerEntry[]) => entries.reduce((s, e) => s + e.robotMs, 0) / entries.length / 1000;

describe('a forfait structure campaign: ameli pro read, Progrès entered (real Redis, Chromium and HTTP)', () => {
  it('pays each forfait of forfait-ps-10.csv exactly once, for the amount ameli pro shows', async () => {
    const file = await copySample('forfait-ps-10.csv');
    const { ledger, result } = run(file);
    const { submission, finished } = await result;
    expect(submission).toMatchObject({ rows: 10, invalidRows: 0, alreadyDone: 0 });
    expect(finished.map((f) => f.status)).toEqual(Array(10).fill('done'));

    const payments = fsPayments();
    expect(e2e.backOffice.state.payments).toHaveLength(10);
    expect(duplicatesIn(e2e.backOffice.state.entriesByKey())).toEqual([]);
    expect(entryCount(e2e.backOffice.state.entriesByKey())).toBe(10);
    expect(payments.map((p) => p.ps).sort()).toEqual((await validPs(file)).sort());
    expectPaidAsAmeliProSays(payments);

    const entries = await entriesOf(ledger);
    expect(entries).toHaveLength(10);
    expect(entries.every((e) => e.status === 'done' && !e.alreadyEntered && e.manualMinutesSaved === forfaitPs.manualMinutes)).toBe(true);
    expect(new Set(entries.map((e) => e.reference))).toEqual(new Set(payments.map((p) => p.reference)));
    expectNoAmountRefusal(finished, entries);
    console.info(`forfait-ps: ${secondsPerDossier(entries).toFixed(2)} robot seconds per dossier entered (${entries.length} dossiers, 2 applications, 4 browser contexts)`);
  });

  it('runs the demo file: invalid rows reported, refusals rejected in the back office’s words, forfaits already paid found, the rest paid; a second run enters nothing', async () => {
    const expected = FORFAIT_PS_DEMO_EXPECTATIONS;
    const demo = forfaitPsDemoRows();
    const rowNumber = (r: ForfaitPsDemoRow) => demo.indexOf(r) + 2; // header = row 1
    const payable = demo.filter((r) => r.kind === 'payable');

    // Three forfaits were paid before this campaign (by hand, or by a run the new deployment's ledger does not know).
    const earlier = payable.slice(0, 3);
    const earlierFile = join(await freshDir(), 'deja-payes.csv');
    await writeFile(earlierFile, formatForfaitPsCsv(earlier.map((r) => r.row)));
    const before = await run(earlierFile).result;
    expect(before.finished.map((f) => f.status)).toEqual(['done', 'done', 'done']);
    const earlierReference = new Map(fsPayments().map((p) => [p.ps, p.reference]));
    expect(earlierReference.size).toBe(3);
    expect(entryCount(e2e.backOffice.state.entriesByKey())).toBe(3);

    const file = await copySample('forfait-ps-demo.csv');
    const prefix = e2e.redis.prefix();
    const { ledger, result } = run(file, prefix);
    const { submission, finished } = await result;

    // Invalid rows never reach a back office; rows are numbered as in the file.
    expect(submission).toMatchObject({ rows: expected.rows, invalidRows: expected.invalid, alreadyDone: 0 });
    const invalid = demo.filter((r) => r.kind === 'invalid');
    expect(submission.invalid.map((i) => i.rowNumber).sort((a, b) => a - b)).toEqual(invalid.map(rowNumber).sort((a, b) => a - b));
    for (const r of invalid) {
      const field = forfaitPsRow.safeParse(r.row).error?.issues[0]?.path[0];
      expect(submission.invalid.find((i) => i.rowNumber === rowNumber(r))).toEqual({
        file: 'forfait-ps-demo.csv', rowNumber: rowNumber(r), field, reason: expect.stringContaining(field === 'numero_ps' ? 'is not a PS number' : `"${r.row.annee}"`),
      });
    }
    expect(new Set(submission.invalid.map((i) => i.field))).toEqual(new Set(['numero_ps', 'annee']));
    expect(finished).toHaveLength(expected.rows - expected.invalid);

    const byRow = new Map(finished.map((f) => [f.rowNumber, f]));
    const refused = demo.filter((r) => expectedReason(r) !== undefined);
    expect(refused).toHaveLength(expected.noForfait + expected.unknownPs + expected.notConventioned);
    for (const r of refused) {
      expect(byRow.get(rowNumber(r)), `row ${rowNumber(r)} (${r.kind})`).toMatchObject({ status: 'rejected', reason: expectedReason(r) });
    }
    for (const r of earlier) {
      expect(byRow.get(rowNumber(r)), `row ${rowNumber(r)} (paid before)`).toMatchObject({ status: 'done', reference: earlierReference.get(r.row.numero_ps) });
    }
    expect(finished.filter((f) => f.status === 'done')).toHaveLength(expected.payable);
    expect(finished.filter((f) => f.status === 'rejected')).toHaveLength(refused.length);

    // Progrès holds exactly one FS payment per payable row, for the amount ameli pro shows; nothing for the refusals.
    // It would have taken a second one: the three paid before were found by the robot, not by Progrès.
    const payments = fsPayments();
    expect(e2e.backOffice.state.payments).toHaveLength(expected.payable);
    expect(duplicatesIn(e2e.backOffice.state.entriesByKey())).toEqual([]);
    expect(entryCount(e2e.backOffice.state.entriesByKey())).toBe(expected.payable);
    expect(payments.map((p) => p.ps).sort()).toEqual(payable.map((r) => r.row.numero_ps).sort());
    expectPaidAsAmeliProSays(payments);
    for (const r of payable) expect(payments.find((p) => p.ps === r.row.numero_ps)?.amountCents).toBe(r.amountDueCents);
    expect(payments.reduce((s, p) => s + p.amountCents, 0)).toBe(expected.payableAmountCents);
    for (const [ps, reference] of earlierReference) expect(e2e.backOffice.state.paymentsFor(ps).map((p) => p.reference)).toEqual([reference]);

    const entries = await entriesOf(ledger);
    expect(entries).toHaveLength(expected.payable + refused.length);
    expect(entries.filter((e) => e.alreadyEntered).map((e) => e.reference).sort()).toEqual([...earlierReference.values()].sort());
    expect(entries.filter((e) => e.status === 'rejected').every((e) => e.manualMinutesSaved === 0 && e.attempts === 1)).toBe(true);
    expectNoAmountRefusal(finished, entries);
    const entered = entries.filter((e) => e.status === 'done' && !e.alreadyEntered);
    console.info(`forfait-ps demo: ${secondsPerDossier(entered).toFixed(2)} robot seconds per dossier entered, ${secondsPerDossier(entries).toFixed(2)} over all ${entries.length} dossiers`);

    // The same file again: the ledger knows what is done, the refusals are refused again, nothing new is entered.
    const again = run(file, prefix);
    const second = await again.result;
    expect(second.submission).toMatchObject({ rows: expected.rows, invalidRows: expected.invalid, alreadyDone: expected.payable });
    expect(second.finished.map((f) => f.status)).toEqual(Array(refused.length).fill('rejected'));
    expect(duplicatesIn(e2e.backOffice.state.entriesByKey())).toEqual([]);
    expect(entryCount(e2e.backOffice.state.entriesByKey())).toBe(expected.payable);
    expectNoAmountRefusal(second.finished, await entriesOf(again.ledger));
  });
});
