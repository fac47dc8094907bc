import { describe, expect, it } from 'vitest';
import { formatGainTable } from '../../gains/format.ts';
import type { LedgerEntry } from '../../gains/ledger-entry.ts';
import { summarizeGains } from '../../gains/report.ts';

const entry = (over: Partial<LedgerEntry>): LedgerEntry => ({
  campaignId: 'c1', scenarioId: 'dipa-payment', scenarioVersion: '1.0.0', caisse: 'CPAM Lille-Douai', machine: 'robot-01',
  dossierId: Math.random().toString(36).slice(2), status: 'done', manualMinutesSaved: 6, robotMs: 1200, attempts: 1,
  finishedAt: '2020-04-02T10:00:00.000Z', ...over,
});

describe('gain report', () => {
  it('counts hours only for dossiers done, and rejected or failed ones apart', async () => {
    const report = await summarizeGains([
      entry({}), entry({}), entry({ status: 'rejected', manualMinutesSaved: 0 }), entry({ status: 'failed', manualMinutesSaved: 0, robotMs: 0 }),
      entry({ scenarioId: 'prime-covid', manualMinutesSaved: 3 }),
    ]);
    expect(report.rows.map((r) => r.group)).toEqual(['dipa-payment', 'prime-covid']);
    expect(report.rows[0]).toMatchObject({ done: 2, rejected: 1, failed: 1, hoursSaved: 0.2 });
    expect(report.total.done).toBe(3);
    expect(report.total.hoursSaved).toBeCloseTo(0.25, 10);
    expect(report.total.etp).toBeCloseTo(0.25 / 1365, 12);
    expect(report.total.robotHours).toBeCloseTo((4 * 1200) / 3_600_000, 12);
  });

  it('groups by caisse, machine, month or year', async () => {
    const entries = [entry({ caisse: 'CPAM du Rhône', finishedAt: '2019-12-31T23:00:00.000Z' }), entry({ machine: 'robot-02' })];
    expect((await summarizeGains(entries, { by: 'caisse' })).rows.map((r) => r.group)).toEqual(['CPAM du Rhône', 'CPAM Lille-Douai']);
    expect((await summarizeGains(entries, { by: 'machine' })).rows.map((r) => r.group)).toEqual(['robot-01', 'robot-02']);
    expect((await summarizeGains(entries, { by: 'month' })).rows.map((r) => r.group)).toEqual(['2019-12', '2020-04']);
    expect((await summarizeGains(entries, { by: 'year' })).rows.map((r) => r.group)).toEqual(['2019', '2020']);
  });

  it('prints a table with a total line and the ETP convention', async () => {
    const text = formatGainTable(await summarizeGains(Array.from({ length: 10 }, () => entry({})), { hoursPerEtp: 1365 }));
    expect(text).toMatch(/dipa-payment\s+10\s+0\s+0\s+1,0\s+0,00/);
    expect(text).toMatch(/Total\s+10/);
    expect(text).toContain('1 ETP = 1 365 hours saved a year.');
  });
});
