import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../gains/ledger-entry.ts';
import { parseDateBound } from '../../gains/period.ts';
import { readRangeOf, summarizeGains } from '../../gains/report.ts';

let n = 0;
const entry = (over: Partial<LedgerEntry>): LedgerEntry => ({
  campaignId: 'c1', scenarioId: 'dipa-payment', scenarioVersion: '1.0.0', caisse: 'CPAM Lille-Douai', machine: 'robot-01',
  dossierId: `d${++n}`, status: 'done', manualMinutesSaved: 6, robotMs: 1200, attempts: 1,
  finishedAt: '2020-04-02T10:00:00.000Z', ...over,
});

describe('gain report', () => {
  it('counts hours only for dossiers done, and rejected or failed ones apart', async () => {
    const report = await summarizeGains([
      entry({}), entry({}), entry({ status: 'rejected', manualMinutesSaved: 0 }), entry({ status: 'failed', manualMinutesSaved: 0, robotMs: 0 }),
      entry({ scenarioId: 'prime-covid', manualMinutesSaved: 3 }),
    ]);
    expect(report.rows.map((r) => r.group)).toEqual(['dipa-payment', 'prime-covid']);
    expect(report.rows[0]).toMatchObject({ dossiers: 4, done: 2, rejected: 1, failed: 1, hoursSaved: 0.2, successRate: 0.5, machines: 1 });
    expect(report.total.done).toBe(3);
    expect(report.total.dossiers).toBe(5);
    expect(report.total.successRate).toBe(0.6);
    expect(report.total.hoursSaved).toBeCloseTo(0.25, 10);
    // No bounds: over the one month the ledger covers.
    expect(report.total.years).toBe(1 / 12);
    expect(report.total.etp).toBeCloseTo(0.25 / (1365 / 12), 12);
    expect(report.total.etpYears).toBeCloseTo(0.25 / 1365, 12);
    expect(report.total.robotHours).toBeCloseTo((4 * 1200) / 3_600_000, 12);
  });

  it('deducts the rework of failed dossiers from the hours saved, and only theirs', async () => {
    const report = await summarizeGains([
      entry({ manualMinutesSaved: 60 }),
      entry({ status: 'failed', manualMinutesSaved: 0, reworkMinutes: 15 }),
      entry({ status: 'failed', manualMinutesSaved: 0, reworkMinutes: 15 }),
      entry({ status: 'rejected', manualMinutesSaved: 0, reworkMinutes: 99 }),
      entry({ status: 'failed', manualMinutesSaved: 0 }),
    ]);
    expect(report.total).toMatchObject({ hoursSaved: 0.5, reworkHours: 0.5, failed: 3 });
  });

  it('counts an entry standing for many dossiers as all of them', async () => {
    const report = await summarizeGains([
      entry({ dossiers: 1000, manualMinutesSaved: 6000, robotMs: 3_600_000 }),
      entry({ dossiers: 10, status: 'failed', manualMinutesSaved: 0, reworkMinutes: 60 }),
      entry({}),
    ]);
    expect(report.total).toMatchObject({ dossiers: 1011, done: 1001, failed: 10, hoursSaved: 100.1 - 1 });
    expect(report.total.successRate).toBeCloseTo(1001 / 1011, 12);
  });

  it('groups by caisse, machine, month or year, months and years one after the other with gaps shown', async () => {
    const entries = [entry({ caisse: 'CPAM du Rhône', finishedAt: '2019-12-31T23:00:00.000Z' }), entry({ machine: 'robot-02' })];
    expect((await summarizeGains(entries, { by: 'caisse' })).rows.map((r) => r.group)).toEqual(['CPAM du Rhône', 'CPAM Lille-Douai']);
    expect((await summarizeGains(entries, { by: 'machine' })).rows.map((r) => r.group)).toEqual(['robot-01', 'robot-02']);
    const byMonth = await summarizeGains(entries, { by: 'month' });
    expect(byMonth.rows.map((r) => [r.group, r.dossiers])).toEqual([['2019-12', 1], ['2020-01', 0], ['2020-02', 0], ['2020-03', 0], ['2020-04', 1]]);
    expect((await summarizeGains(entries, { by: 'year' })).rows.map((r) => r.group)).toEqual(['2019', '2020']);
    expect(byMonth.total.machines).toBe(2);
  });

  it('compares each month (year) with the one before, and says so', async () => {
    const entries = [
      entry({ finishedAt: '2020-01-10T00:00:00.000Z' }), entry({ finishedAt: '2020-01-11T00:00:00.000Z' }),
      entry({ finishedAt: '2020-02-10T00:00:00.000Z' }), entry({ finishedAt: '2020-02-11T00:00:00.000Z' }), entry({ finishedAt: '2020-02-12T00:00:00.000Z' }),
      entry({ finishedAt: '2020-04-01T00:00:00.000Z' }),
    ];
    const { rows } = await summarizeGains(entries, { by: 'month' });
    expect(rows.map((r) => r.growth?.dossiers ?? null)).toEqual([null, 0.5, -1, null]);
    expect(rows[1]!.growth).toMatchObject({ against: '2020-01', hoursSaved: 0.5 });
  });

  it('over a period, ignores what is outside and compares with the period of the same length before it', async () => {
    const entries = [
      entry({ finishedAt: '2020-02-29T12:00:00.000Z' }), // before the previous period: ignored
      entry({ finishedAt: '2020-03-01T00:00:00.000Z' }), entry({ finishedAt: '2020-03-31T23:59:59.999Z', scenarioId: 'prime-covid' }),
      entry({ finishedAt: '2020-04-01T00:00:00.000Z' }), entry({ finishedAt: '2020-04-15T00:00:00.000Z' }), entry({ finishedAt: '2020-04-30T23:00:00.000Z' }),
      entry({ finishedAt: '2020-05-01T00:00:00.000Z' }), // after: ignored
    ];
    const period = { from: parseDateBound('2020-04', 'from'), to: parseDateBound('2020-04', 'to') };
    const report = await summarizeGains(entries, { period });
    expect(report.period).toEqual({ from: '2020-04-01T00:00:00.000Z', to: '2020-05-01T00:00:00.000Z' });
    expect(report.previousPeriod).toEqual({ from: '2020-03-01T00:00:00.000Z', to: '2020-04-01T00:00:00.000Z' });
    expect(report.total.dossiers).toBe(3);
    expect(report.total.growth).toEqual({ against: '2020-03-01 – 2020-03-31', dossiers: 0.5, hoursSaved: expect.closeTo(0.5, 12), etp: expect.closeTo(0.5, 12) });
    expect(report.rows).toEqual([expect.objectContaining({ group: 'dipa-payment', dossiers: 3, growth: expect.objectContaining({ dossiers: 2 }) })]);
    expect(report.months.map((m) => m.group)).toEqual(['2020-04']);
    expect(readRangeOf(period)).toEqual({ from: new Date('2020-03-01T00:00:00.000Z'), to: new Date('2020-05-01T00:00:00.000Z') });
  });

  it('runs an open-ended period up to now, and refuses one that ends before it starts', async () => {
    const now = new Date('2020-04-11T00:00:00.000Z');
    const report = await summarizeGains([entry({ finishedAt: '2020-04-01T00:00:00.000Z' }), entry({ finishedAt: '2020-04-12T00:00:00.000Z' })], { period: { from: new Date('2020-04-01') }, now });
    expect(report.total.dossiers).toBe(1);
    expect(report.previousPeriod).toEqual({ from: '2020-03-22T00:00:00.000Z', to: '2020-04-01T00:00:00.000Z' });
    await expect(summarizeGains([], { period: { from: new Date('2020-05-01'), to: new Date('2020-04-01') } })).rejects.toThrow('--to must be after --from');
    await expect(summarizeGains([], { hoursPerEtp: 0 })).rejects.toThrow('hoursPerEtp must be greater than 0');
  });

  it('gives ETP as a rate: a month row over its month, the total and named rows over the months the ledger covers', async () => {
    // 30 000 h saved in January and in March 2020: 1 800 000 minutes each.
    const entries = [
      entry({ finishedAt: '2020-01-20T10:00:00.000Z', dossiers: 300_000, manualMinutesSaved: 1_800_000 }),
      entry({ finishedAt: '2020-03-05T10:00:00.000Z', dossiers: 300_000, manualMinutesSaved: 1_200_000, scenarioId: 'prime-covid' }),
      entry({ finishedAt: '2020-03-25T10:00:00.000Z', dossiers: 100_000, manualMinutesSaved: 600_000, scenarioId: 'prime-covid' }),
    ];
    const byMonth = await summarizeGains(entries, { by: 'month' });
    expect(byMonth.rows.map((r) => [r.group, r.years, Math.round(r.etp)])).toEqual([['2020-01', 1 / 12, 264], ['2020-02', 1 / 12, 0], ['2020-03', 1 / 12, 264]]);
    expect(byMonth.span).toEqual({ from: '2020-01-01T00:00:00.000Z', to: '2020-04-01T00:00:00.000Z', years: 0.25 });
    // 60 000 h over three months: 175.8 people full time; 43.96 années-ETP, never called ETP.
    expect(byMonth.total).toMatchObject({ hoursSaved: 60_000, years: 0.25 });
    expect(byMonth.total.etp).toBeCloseTo(60_000 / (1365 / 4), 9);
    expect(byMonth.total.etpYears).toBeCloseTo(60_000 / 1365, 9);

    const byScenario = await summarizeGains(entries, { by: 'scenario' });
    expect(byScenario.rows.map((r) => [r.group, r.years, Math.round(r.etp * 10) / 10])).toEqual([['dipa-payment', 0.25, 87.9], ['prime-covid', 0.25, 87.9]]);
    expect(byScenario.total.etp).toBe(byMonth.total.etp);

    const byYear = await summarizeGains(entries, { by: 'year' });
    expect(byYear.rows).toEqual([expect.objectContaining({ group: '2020', years: 0.25, etp: byMonth.total.etp })]);
  });

  it('measures a period given by --from/--to as it is, a month it cuts over the part of it inside', async () => {
    const period = { from: parseDateBound('2020-04-16', 'from'), to: parseDateBound('2020-05', 'to') };
    const entries = [
      entry({ finishedAt: '2020-03-10T00:00:00.000Z', dossiers: 300_000, manualMinutesSaved: 1_800_000 }), // the previous period: 1–31 March and 1–15 April
      entry({ finishedAt: '2020-04-10T00:00:00.000Z', dossiers: 150_000, manualMinutesSaved: 900_000 }),
      entry({ finishedAt: '2020-04-20T00:00:00.000Z', dossiers: 150_000, manualMinutesSaved: 900_000 }),
      entry({ finishedAt: '2020-05-20T00:00:00.000Z', dossiers: 300_000, manualMinutesSaved: 1_800_000 }),
    ];
    const report = await summarizeGains(entries, { by: 'month', period });
    expect(report.previousPeriod).toEqual({ from: '2020-03-01T00:00:00.000Z', to: '2020-04-16T00:00:00.000Z' });
    // 16–30 April is half of April: 15 000 h in it is the pace of 30 000 h a month, 264 ETP.
    expect(report.rows.map((r) => [r.group, r.years, Math.round(r.etp)])).toEqual([['2020-04', 0.5 / 12, 264], ['2020-05', 1 / 12, 264]]);
    expect(report.span).toEqual({ from: '2020-04-16T00:00:00.000Z', to: '2020-06-01T00:00:00.000Z', years: 1.5 / 12 });
    expect(Math.round(report.total.etp)).toBe(264);
    // Like with like: half of April against all of March is no fall, and May against all of April (both halves) no rise.
    expect(report.rows.map((r) => r.growth)).toEqual([
      { against: '2020-03', dossiers: expect.closeTo(0, 12), hoursSaved: expect.closeTo(0, 12), etp: expect.closeTo(0, 12) },
      { against: '2020-04', dossiers: expect.closeTo(0, 12), hoursSaved: expect.closeTo(0, 12), etp: expect.closeTo(0, 12) },
    ]);
  });

  it('measures an open end up to now, and a bound alone against the months the ledger covers', async () => {
    const now = new Date('2020-04-11T00:00:00.000Z');
    const fromOnly = await summarizeGains([entry({ finishedAt: '2020-04-05T00:00:00.000Z', manualMinutesSaved: 600 })], { period: { from: new Date('2020-04-01') }, now });
    expect(fromOnly.span).toEqual({ from: '2020-04-01T00:00:00.000Z', to: '2020-04-11T00:00:00.000Z', years: 10 / 30 / 12 });
    expect(fromOnly.total.etp).toBeCloseTo(10 / (1365 * (10 / 360)), 12);
    const toOnly = await summarizeGains([entry({ finishedAt: '2020-02-05T00:00:00.000Z' })], { period: { to: parseDateBound('2020-03', 'to') } });
    expect(toOnly.span).toMatchObject({ from: '2020-02-01T00:00:00.000Z', to: '2020-04-01T00:00:00.000Z', years: 2 / 12 });
  });

  it('gives an empty report for an empty ledger', async () => {
    const report = await summarizeGains([], { by: 'month' });
    expect(report.rows).toEqual([]);
    expect(report.total).toMatchObject({ dossiers: 0, successRate: null, hoursSaved: 0, etp: 0, years: 0, growth: null });
    expect(report.span).toBeUndefined();
  });
});
