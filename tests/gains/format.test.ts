import { describe, expect, it } from 'vitest';
import { formatGainCsv, formatGainJson, formatGainTable } from '../../gains/format.ts';
import type { LedgerEntry } from '../../gains/ledger-entry.ts';
import { summarizeGains } from '../../gains/report.ts';

let n = 0;
const entry = (over: Partial<LedgerEntry> = {}): LedgerEntry => ({
  campaignId: 'c1', scenarioId: 'dipa-payment', scenarioVersion: '1.0.0', caisse: 'CPAM Lille-Douai', machine: 'robot-01',
  dossierId: `d${++n}`, status: 'done', manualMinutesSaved: 6, robotMs: 1200, attempts: 1, finishedAt: '2020-04-02T10:00:00.000Z', ...over,
});

const sample = () => summarizeGains([
  ...Array.from({ length: 10 }, () => entry()),
  entry({ status: 'rejected', manualMinutesSaved: 0 }),
  entry({ status: 'failed', manualMinutesSaved: 0, reworkMinutes: 30 }),
  entry({ scenarioId: 'prime-covid', caisse: 'CPAM du Rhône; site "Lyon"', dossiers: 2_000, manualMinutesSaved: 90_000, robotMs: 7_200_000 }),
], { hoursPerEtp: 1365 });

describe('gain report formats', () => {
  it('prints a table with a total line, French figures and its conventions', async () => {
    const text = formatGainTable(await sample());
    // No period, no growth column; ETP over April 2020, the month the ledger covers: 1 500 h ÷ (1 365 h ÷ 12) = 13.19.
    expect(text).toMatch(/^scenario\s+dossiers\s+rejected\s+failed\s+hours saved\s+ETP\s+robot hours\s+success$/m);
    expect(text).toMatch(/^dipa-payment\s+12\s+1\s+1\s+0,5\s+0,0\s+0,00\s+83,3 %$/m);
    expect(text).toMatch(/^prime-covid\s+2 000\s+0\s+0\s+1 500,0\s+13,2\s+2,00\s+100,0 %$/m);
    expect(text).toMatch(/^Total\s+2 012\s+1\s+1\s+1 500,5\s+13,2\s/m);
    expect(text).toContain(
      "ETP = hours saved ÷ (1 365 h × the period's length in years): people working full time over that period; every row over 2020-04-01 – 2020-04-30 (1 month, the months the ledger covers).",
    );
    expect(text).toContain('Hours saved are net of 0,5 hours of rework on 1 failed dossiers.');
    expect(text).toContain('Period: the whole ledger.');
  });

  it('adds the growth column over a period, against the same group in the period before', async () => {
    const report = await summarizeGains([entry({ finishedAt: '2020-03-02T10:00:00.000Z' }), entry(), entry()], { period: { from: new Date('2020-04-01'), to: new Date('2020-05-01') } });
    const text = formatGainTable(report);
    expect(text).toMatch(/^dipa-payment\s+2\s+0\s+0\s+0,2\s+0,00\s+0,00\s+100,0 %\s+\+100 %$/m);
    expect(text).toContain('Period: 2020-04-01 – 2020-04-30, compared with 2020-03-01 – 2020-03-31.');
    expect(text).toContain('Growth: dossiers against the previous period, of the same length.');
    expect(text).toContain('every row over 2020-04-01 – 2020-04-30 (1 month).');
  });

  it('says what ETP is over in a table by month or year, and for an empty ledger', async () => {
    const entries = [entry({ finishedAt: '2020-02-10T00:00:00.000Z' }), entry()];
    const byMonth = formatGainTable(await summarizeGains(entries, { by: 'month', period: { from: new Date('2020-02-16'), to: new Date('2020-05-01') } }));
    expect(byMonth).toContain('each month over that month (or its part in the period), the total over 2020-02-16 – 2020-04-30 (75 days = 0.207 year).');
    expect(byMonth).toContain('Growth: dossiers against the previous month, as rates over the part of each the report covers; the total against the previous period, of the same length.');
    const byYear = formatGainTable(await summarizeGains(entries, { by: 'year', period: { from: new Date('2020-01-01') }, now: new Date('2023-01-01') }));
    expect(byYear).toContain('each year over that year (or its part in the period), the total over 2020-01-01 – 2022-12-31 (3 years).');
    expect(formatGainTable(await summarizeGains([]))).toContain("ETP = hours saved ÷ (1 365 h × the period's length in years): people working full time over that period; the ledger is empty.");
  });

  it('writes CSV for a French spreadsheet: BOM, semicolons, decimal comma, quoted text', async () => {
    const csv = formatGainCsv(await summarizeGains([entry(), entry({ caisse: 'CPAM du Rhône; site "Lyon"', manualMinutesSaved: 3 })], { by: 'caisse' }));
    expect(csv.startsWith('\ufeffcaisse;dossiers;done;rejected;failed;success %;hours saved;rework hours;ETP;length in years;années-ETP;robot hours;machines;dossier growth %;hours growth %;compared with\r\n')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(5);
    // 0.15 h over a month: 0.15 ÷ (1 365 ÷ 12) = 0.0013 ETP.
    expect(lines[1]).toBe('"CPAM du Rhône; site ""Lyon""";1;1;0;0;100;0,05;0;0;0,0833;0;0;1;;;');
    expect(lines[3]).toBe('Total;2;2;0;0;100;0,15;0;0;0,0833;0;0;1;;;');
    // Last, in one cell (quoted: it holds semicolons), what ETP means.
    expect(lines[4]).toBe(`"ETP = hours saved ÷ (1 365 h × the period's length in years): people working full time over that period; every row over 2020-04-01 – 2020-04-30 (1 month, the months the ledger covers)."`);
  });

  it('writes JSON with every figure unrounded', async () => {
    const report = await sample();
    const { etpNote, ...json } = JSON.parse(formatGainJson(report)) as typeof report & { etpNote: string };
    expect(json).toEqual(report);
    expect(etpNote).toMatch(/^ETP = hours saved ÷ \(1 365 h × the period's length in years\): .*; every row over 2020-04-01 – 2020-04-30 \(1 month/);
    expect(json.span).toEqual({ from: '2020-04-01T00:00:00.000Z', to: '2020-05-01T00:00:00.000Z', years: 1 / 12 });
    expect(json.total).toMatchObject({ dossiers: 2012, done: 2010, hoursSaved: 1500.5, reworkHours: 0.5 });
    expect(json.months.map((m) => m.group)).toEqual(['2020-04']);
  });
});
