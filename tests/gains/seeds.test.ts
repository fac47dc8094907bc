import { describe, expect, it } from 'vitest';
import { formatGainTable } from '../../gains/format.ts';
import { roundTo } from '../../gains/etp.ts';
import { parseDateBound } from '../../gains/period.ts';
import { summarizeGains } from '../../gains/report.ts';
import { NATIONAL_FIGURES, nationalLedger } from './national-ledger.ts';

const ledger = nationalLedger();

describe('the national table of the 2020 activity report, reproduced from the ledger', () => {
  it('gives the dossiers, hours saved and ETP of 2018, 2019 and 2020 at 1 365 h per ETP', async () => {
    const report = await summarizeGains(ledger, { by: 'year', hoursPerEtp: 1365 });
    expect(report.rows.map((r) => r.group)).toEqual(['2018', '2019', '2020']);
    expect(report.rows.map((r) => r.dossiers)).toEqual([18_049_098, 21_499_030, 33_634_572]);
    expect(report.rows.map((r) => r.hoursSaved)).toEqual([358_071, 425_528, 532_242]);
    expect(report.rows.map((r) => roundTo(r.etp, 1))).toEqual([262.3, 311.7, 389.9]);
    expect(NATIONAL_FIGURES.map((f) => f.etp)).toEqual([262.3, 311.7, 389.9]);
    // The report prints the last one rounded to a whole number.
    expect(roundTo(report.rows[2]!.etp, 0)).toBe(390);
  });

  it('gives the 56 % growth of the dossiers from 2019 to 2020, by year and over a period', async () => {
    const byYear = await summarizeGains(ledger, { by: 'year' });
    expect(byYear.rows[0]!.growth).toBeNull();
    expect(roundTo(byYear.rows[2]!.growth!.dossiers! * 100, 0)).toBe(56);
    expect(byYear.rows[2]!.growth!.against).toBe('2019');

    const year2020 = await summarizeGains(ledger, { period: { from: parseDateBound('2020', 'from'), to: parseDateBound('2020', 'to') } });
    expect(year2020.previousPeriod).toEqual({ from: '2019-01-01T00:00:00.000Z', to: '2020-01-01T00:00:00.000Z' });
    expect(year2020.total).toMatchObject({ dossiers: 33_634_572, hoursSaved: 532_242 });
    expect(roundTo(year2020.total.growth!.dossiers! * 100, 0)).toBe(56);
    expect(year2020.total.growth!.hoursSaved).toBeCloseTo(532_242 / 425_528 - 1, 12);
  });

  it('counts the machines active each month, as the report does (1 397 in January 2019, 2 434 in November 2020)', async () => {
    const report = await summarizeGains(ledger, { by: 'month' });
    expect(report.months).toHaveLength(36);
    const machines = Object.fromEntries(report.months.map((m) => [m.group, m.machines]));
    expect(machines['2019-01']).toBe(1_397);
    expect(machines['2020-01']).toBe(1_747);
    expect(machines['2020-11']).toBe(2_434);
    expect(report.total.dossiers).toBe(18_049_098 + 21_499_030 + 33_634_572);
  });

  it('prints the table with French figures', async () => {
    const text = formatGainTable(await summarizeGains(ledger, { by: 'year' }));
    expect(text).toMatch(/^2020\s+33 634 572\s+0\s+0\s+532 242,0\s+389,9\s+[\d ]+,\d\d\s+100,0 %\s+\+56 %$/m);
    expect(text).toMatch(/^2018\s+18 049 098\s+0\s+0\s+358 071,0\s+262,3\s/m);
  });
});
