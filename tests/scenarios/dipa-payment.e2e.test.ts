import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dipaAdvanceCents, dipaPeriodOf } from '../../domain/dipa.ts';
import { parseFrenchDate } from '../../domain/french-formats.ts';
import { DEFAULT_USER, type BackOfficeState, type Payment } from '../../fixtures/backoffice/index.ts';
import { dipaDemoRows, formatDipaCsv, type DipaCsvRow, type DipaDemoRow } from '../../fixtures/data/generate-dipa-sample.ts';
import type { LedgerEntry } from '../../gains/index.ts';
import { readInputRows } from '../../input/index.ts';
import { dipaPayment, dipaRow } from '../../scenarios/dipa-payment.ts';
import { useE2e } from '../support/e2e.ts';
import { copySample } from '../support/files.ts';
import { entriesOf } from '../support/ledger.ts';
import { duplicatesIn, entryCount } from '../support/backoffice-entries.ts';

/**
 * Redis, a back office and a robot on it for the tests of the calling describe block. Progrès
 * accepts a second payment for the same key (its default), so only the robot keeps each payment
 * single; `formTokens: false` also takes away the screen's refusal of a form posted twice.
 */
const withBackOffice = (formTokens: boolean) => useE2e({ backOffice: { applications: { progres: { formTokens } } }, robot: { concurrency: 4 } });

/** A fresh folder: the campaign writes its rejection file next to its input. */
const freshDir = () => mkdtemp(join(tmpdir(), 'proweb-dipa-payment-'));

/** The CSV rows of a file, as the generator wrote them (column name → text). */
async function csvRows(file: string): Promise<DipaCsvRow[]> {
  const rows: DipaCsvRow[] = [];
  for await (const { raw } of readInputRows(file)) rows.push(raw as DipaCsvRow);
  return rows;
}

/**
 * What Progrès must hold for a payable request, from the back office's own data rather than
 * from the scenario: 80 % of the aid ameli pro computed, by transfer to the professional's IBAN.
 */
function recordOf(state: BackOfficeState, row: DipaCsvRow) {
  const request = state.dipaRequests.find((r) => r.id === row.numero_demande)!;
  const professional = state.professionals.get(request.ps)!;
  const period = dipaPeriodOf(parseFrenchDate(row.debut_periode)!, parseFrenchDate(row.fin_periode)!)!;
  expect(period).toBe(request.period);
  return {
    scheme: 'DIPA', ps: request.ps, period, amountCents: dipaAdvanceCents(request.computedAidCents), settlement: 'VIR', iban: professional.iban,
    motif: `Acompte DIPA ${period} demande ${request.id}`, enteredBy: DEFAULT_USER.username,
  };
}
const byKey = (a: { ps: string; period?: string }, b: { ps: string; period?: string }) => `${a.ps}|${a.period}`.localeCompare(`${b.ps}|${b.period}`);
const recordsIn = (payments: readonly Payment[]) =>
  payments
    .map((p) => ({ scheme: p.scheme, ps: p.ps, period: p.period, amountCents: p.amountCents, settlement: p.settlement, iban: p.iban, motif: p.motif, enteredBy: p.enteredBy }))
    .sort(byKey);

/** PRG-2020-000001 … PRG-2020-00000n: the references of n payments entered through the screens. */
const referencesUpTo = (n: number) => Array.from({ length: n }, (_, i) => `PRG-2020-${String(i + 1).padStart(6, '0')}`);

/** Progrès's words for a refused row. */
function expectedReason(r: DipaDemoRow): string {
  switch (r.kind) {
    case 'unknown-ps': return `Aucun professionnel de santé ne correspond au numéro ${r.row.numero_ps}.`;
    case 'not-conventioned': return `Refus : le professionnel ${r.row.numero_ps} n'est pas conventionné ; paiement DIPA impossible.`;
    default: throw new Error(`${r.kind} is not a refusal`);
  }
}

const secondsPerDossier = (entries: LedgerEntry[]) => entries.reduce((s, e) => s + e.robotMs, 0) / entries.length / 1000;

describe.each([{ formTokens: true }, { formTokens: false }])('a DIPA payment campaign in Progrès, form tokens $formTokens (real Redis, Chromium and HTTP)', ({ formTokens }) => {
  const e2e = withBackOffice(formTokens);

  it('pays each request of dipa-50.csv exactly once: Progrès holds each advance as ameli pro computed it', async () => {
    const { backOffice } = e2e;
    const file = await copySample('dipa-50.csv');
    const { ledger, result } = e2e.campaign(dipaPayment, file);
    const { submission, finished } = await result;
    expect(submission).toMatchObject({ rows: 50, invalidRows: 0, alreadyDone: 0 });
    expect(finished.map((f) => f.status)).toEqual(Array(50).fill('done'));

    const rows = await csvRows(file);
    expect(recordsIn(backOffice.state.payments)).toEqual(rows.map((r) => recordOf(backOffice.state, r)).sort(byKey));
    expect(backOffice.state.payments.map((p) => p.reference).sort()).toEqual(referencesUpTo(50));
    expect(duplicatesIn(backOffice.state.entriesByKey())).toEqual([]);
    expect(entryCount(backOffice.state.entriesByKey())).toBe(50);

    const entries = await entriesOf(ledger);
    expect(entries).toHaveLength(50);
    expect(entries.every((e) => e.status === 'done' && !e.alreadyEntered && e.attempts === 1 && e.manualMinutesSaved === dipaPayment.manualMinutes)).toBe(true);
    expect(new Set(entries.map((e) => e.reference))).toEqual(new Set(backOffice.state.payments.map((p) => p.reference)));
    console.info(`dipa-payment: ${secondsPerDossier(entries).toFixed(2)} robot seconds per dossier entered (${entries.length} dossiers, 4 browser contexts)`);
  });
});

describe('a DIPA payment campaign of every kind of row (real Redis, Chromium and HTTP)', () => {
  const e2e = withBackOffice(true);

  it('runs a file of every kind of demo row: invalid rows reported, refusals rejected in Progrès’s words, payments already entered found, the rest paid; a second run enters nothing', async () => {
    const { backOffice } = e2e;
    // Every invalid and unknown-PS row of the demo file, some non-conventioned ones and payable ones, in the demo's order.
    const demo = dipaDemoRows();
    const kept = new Set([
      ...demo.filter((r) => r.kind === 'invalid' || r.kind === 'unknown-ps'),
      ...demo.filter((r) => r.kind === 'not-conventioned').slice(0, 4),
      ...demo.filter((r) => r.kind === 'payable').slice(0, 15),
    ]);
    const rows = demo.filter((r) => kept.has(r)).map((r, i) => ({ ...r, rowNumber: i + 2 })); // header = row 1
    const dir = await freshDir();
    const file = join(dir, 'dipa-mixte.csv');
    await writeFile(file, formatDipaCsv(rows.map((r) => r.row)));
    const payable = rows.filter((r) => r.kind === 'payable');
    const invalid = rows.filter((r) => r.kind === 'invalid');
    const refused = rows.filter((r) => r.kind === 'unknown-ps' || r.kind === 'not-conventioned');
    expect(invalid).toHaveLength(6);
    expect(refused).toHaveLength(7);

    // Three payments were entered before this campaign (by hand, or by a run whose ledger is lost).
    const earlier = payable.slice(0, 3);
    const before = await e2e.campaign(dipaPayment, await (async () => {
      const f = join(dir, 'deja-payes.csv');
      await writeFile(f, formatDipaCsv(earlier.map((r) => r.row)));
      return f;
    })()).result;
    expect(before.finished.map((f) => f.status)).toEqual(['done', 'done', 'done']);
    expect(entryCount(backOffice.state.entriesByKey())).toBe(3);
    const earlierReference = new Map(earlier.map((r, i) => [r.rowNumber, before.finished.find((f) => f.rowNumber === i + 2)!.reference!]));

    const prefix = e2e.redis.prefix();
    const { ledger, result } = e2e.campaign(dipaPayment, file, { prefix });
    const { submission, finished } = await result;

    // Invalid rows never reach Progrès; each is reported with its file, row and column.
    expect(submission).toMatchObject({ rows: rows.length, invalidRows: 6, alreadyDone: 0 });
    expect(submission.invalid).toEqual(invalid.map((r) => {
      const field = dipaRow.safeParse(r.row).error?.issues[0]?.path[0];
      return { file: 'dipa-mixte.csv', rowNumber: r.rowNumber, field, reason: expect.any(String) };
    }));
    expect(new Set(submission.invalid.map((i) => i.field))).toEqual(new Set(['numero_ps', 'categorie', 'aide_calculee', 'debut_periode', 'iban']));
    expect(finished).toHaveLength(rows.length - invalid.length);

    const byRow = new Map(finished.map((f) => [f.rowNumber, f]));
    for (const r of refused) expect(byRow.get(r.rowNumber), `row ${r.rowNumber} (${r.kind})`).toMatchObject({ status: 'rejected', reason: expectedReason(r) });
    for (const r of payable) expect(byRow.get(r.rowNumber), `row ${r.rowNumber}`).toMatchObject({ status: 'done' });
    for (const [rowNumber, reference] of earlierReference) expect(byRow.get(rowNumber), `row ${rowNumber}, paid before`).toMatchObject({ status: 'done', reference });

    // Progrès holds exactly one payment per payable row, nothing for the refusals.
    expect(recordsIn(backOffice.state.payments)).toEqual(payable.map((r) => recordOf(backOffice.state, r.row)).sort(byKey));
    expect(backOffice.state.payments.map((p) => p.reference).sort()).toEqual(referencesUpTo(payable.length));
    for (const r of refused) expect(backOffice.state.paymentsFor(r.row.numero_ps), `nothing paid for row ${r.rowNumber}`).toEqual([]);
    // The three paid before were found, not paid again: Progrès would have taken a second payment.
    expect(duplicatesIn(backOffice.state.entriesByKey())).toEqual([]);
    expect(entryCount(backOffice.state.entriesByKey())).toBe(payable.length);

    const entries = await entriesOf(ledger);
    expect(entries).toHaveLength(payable.length + refused.length);
    expect(entries.filter((e) => e.alreadyEntered).map((e) => e.reference).sort()).toEqual([...earlierReference.values()].sort());
    expect(entries.filter((e) => e.status === 'rejected').every((e) => e.manualMinutesSaved === 0 && e.attempts === 1)).toBe(true);
    const entered = entries.filter((e) => e.status === 'done' && !e.alreadyEntered);
    expect(entered).toHaveLength(payable.length - earlier.length);
    console.info(`dipa-payment mixed file: ${secondsPerDossier(entered).toFixed(2)} robot seconds per dossier entered, ${secondsPerDossier(entries).toFixed(2)} over all ${entries.length} dossiers`);

    // The same file again: the ledger knows what is done, Progrès refuses the refusals again, nothing new is entered.
    const again = e2e.campaign(dipaPayment, file, { prefix });
    const second = await again.result;
    expect(second.submission).toMatchObject({ rows: rows.length, invalidRows: 6, alreadyDone: payable.length });
    const secondByRow = [...second.finished].sort((a, b) => a.rowNumber - b.rowNumber);
    expect(secondByRow.map((f) => [f.rowNumber, f.status, f.reason])).toEqual(refused.map((r) => [r.rowNumber, 'rejected', expectedReason(r)]));
    expect(duplicatesIn(backOffice.state.entriesByKey())).toEqual([]);
    expect(entryCount(backOffice.state.entriesByKey())).toBe(payable.length);
  });
});
