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

  it('gives 321.3 ETP over 2018–2020 together, a rate over three years, not 964.0 added up', async () => {
    const whole = await summarizeGains(ledger, { by: 'year' });
    expect(whole.span).toEqual({ from: '2018-01-01T00:00:00.000Z', to: '2021-01-01T00:00:00.000Z', years: 3 });
    expect(roundTo(whole.total.etp, 1)).toBe(321.3);
    expect(roundTo(whole.total.etpYears, 1)).toBe(964);
    const period = { from: parseDateBound('2018', 'from'), to: parseDateBound('2020', 'to') };
    const bounded = await summarizeGains(ledger, { by: 'scenario', period });
    expect(roundTo(bounded.total.etp, 1)).toBe(321.3);
    expect(bounded.rows.every((r) => r.years === 3)).toBe(true);
    expect(bounded.rows.reduce((sum, r) => sum + r.etp, 0)).toBeCloseTo(bounded.total.etp, 9);
    const y2019 = await summarizeGains(ledger, { by: 'caisse', period: { from: parseDateBound('2019', 'from'), to: parseDateBound('2019', 'to') } });
    expect(roundTo(y2019.total.etp, 1)).toBe(311.7);
  });

  it('gives each month its ETP over that month: twelve months of 2020 average the year’s 389.9', async () => {
    const period = { from: parseDateBound('2020', 'from'), to: parseDateBound('2020', 'to') };
    const report = await summarizeGains(ledger, { by: 'month', period });
    expect(report.rows).toHaveLength(12);
    // April 2020, 12 % of the year's hours: 63 869 h in a month, 561 people full time.
    expect(report.rows[3]).toMatchObject({ group: '2020-04', years: 1 / 12 });
    expect(roundTo(report.rows[3]!.hoursSaved, 0)).toBe(63_869);
    expect(roundTo(report.rows[3]!.etp, 0)).toBe(561);
    expect(roundTo(report.rows.reduce((sum, r) => sum + r.etp, 0) / 12, 1)).toBe(389.9);
    expect(roundTo(report.total.etp, 1)).toBe(389.9);
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
    expect(text).toMatch(/^Total\s+73 182 700\s+0\s+0\s+1 315 841,0\s+321,3\s/m);
    expect(text).toContain('each year over that year (or its part in the period), the total over 2018-01-01 – 2020-12-31 (3 years, the months the ledger covers).');
  });
});
