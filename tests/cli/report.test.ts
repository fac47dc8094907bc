import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger, exportLedger, type GainReport, type LedgerEntry } from '../../gains/index.ts';
import { runCli } from '../support/cli.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';
import { nationalLedger } from '../gains/national-ledger.ts';

const DIPA_50 = fileURLToPath(new URL('../../fixtures/data/dipa-50.csv', import.meta.url));

let redis: TestRedis;
let dir: string;
let national: string;
beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(join(tmpdir(), 'proweb-report-cli-'));
  national = join(dir, 'national.jsonl');
  await exportLedger(nationalLedger({ maxMachinesPerMonth: 4 }), { format: 'jsonl', out: national });
});
afterAll(async () => {
  await redis?.close();
});

let n = 0;
const entry = (over: Partial<LedgerEntry>): LedgerEntry => ({
  campaignId: 'c1', scenarioId: 'dipa-payment', scenarioVersion: '1.0.0', caisse: 'CPAM Lille-Douai', machine: 'robot-01',
  dossierId: `d${++n}`, status: 'done', manualMinutesSaved: 6, robotMs: 60_000, attempts: 1, finishedAt: '2020-04-02T10:00:00.000Z', ...over,
});

describe('proweb report', () => {
  it('reproduces the national table from a ledger export, in each format', async () => {
    const env = { PROWEB_DATA_DIR: dir };
    const table = await runCli(['report', '--ledger-file', national, '--by', 'year'], env);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^2018\s+18 049 098\s+0\s+0\s+358 071,0\s+262,3\s/m);
    expect(table.stdout).toMatch(/^2019\s+21 499 030\s+0\s+0\s+425 528,0\s+311,7\s.*\+19 %$/m);
    expect(table.stdout).toMatch(/^2020\s+33 634 572\s+0\s+0\s+532 242,0\s+389,9\s.*\+56 %$/m);
    expect(table.stdout).toMatch(/^Total\s+73 182 700\s+0\s+0\s+1 315 841,0\s+321,3\s/m);
    const etpLine = "ETP = hours saved ÷ (1 365 h × the period's length in years): people working full time over that period; ";
    expect(table.stdout).toContain(`${etpLine}each year over that year (or its part in the period), the total over 2018-01-01 – 2020-12-31 (3 years, the months the ledger covers).\n`);

    // A month's ETP is over that month (the export puts a month's work on its 15th).
    const months = await runCli(['report', '--ledger-file', national, '--by', 'month', '--from', '2019-01', '--to', '2019-03'], env);
    // January 2019, 8/97 of the year's hours: 35 095,1 h, 308,5 people full time that month.
    expect(months.stdout).toMatch(/^2019-01\s+1 773 116\s+0\s+0\s+35 095,1\s+308,5\s/m);
    expect(months.stdout).toContain(`${etpLine}each month over that month (or its part in the period), the total over 2019-01-01 – 2019-03-31 (3 months).\n`);

    const json = await runCli(['report', '--ledger-file', national, '--from', '2020', '--to', '2020', '--format', 'json', '--hours-per-etp', '1365'], env);
    const report = JSON.parse(json.stdout) as GainReport;
    expect(report.total).toMatchObject({ dossiers: 33_634_572, hoursSaved: 532_242 });
    expect(Math.round(report.total.growth!.dossiers! * 100)).toBe(56);
    expect(Math.round(report.total.etp)).toBe(390);
    expect((JSON.parse(json.stdout) as { etpNote: string }).etpNote).toBe(`${etpLine}every row over 2020-01-01 – 2020-12-31 (1 year).`);

    const csvFile = join(dir, 'out', 'gains.csv');
    const csv = await runCli(['report', '--ledger-file', national, '--by', 'year', '--format', 'csv', '--out', csvFile], env);
    expect(csv.stdout).toBe(`Report written to ${csvFile}\n`);
    const csvLines = (await readFile(csvFile, 'utf8')).split('\r\n');
    expect(csvLines[3]).toMatch(/^2020;33634572;33634572;0;0;100;532242;0;389,92;1;389,92;/);
    expect(csvLines[4]).toMatch(/^Total;73182700;73182700;0;0;100;1315841;0;321,33;3;963,99;/);
    expect(csvLines[5]).toBe(`"${etpLine}each year over that year (or its part in the period), the total over 2018-01-01 – 2020-12-31 (3 years, the months the ledger covers)."`);

    const htmlFile = join(dir, 'out', 'gains.html');
    const html = await runCli(['report', '--ledger-file', national, '--by', 'month', '--format', 'html', '--out', htmlFile], env);
    expect(html.code).toBe(0);
    const page = await readFile(htmlFile, 'utf8');
    expect(page).toContain('<html lang="fr">');
    expect(page).toContain('Chart.js v4');
    expect(page).toContain('ETP : heures gagnées ÷ (1\u202f365\u00a0h × durée de la période en années), soit des personnes à temps plein sur cette période : chaque mois sur son mois');
    expect(page).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    expect(table.leftovers).toEqual([]);
  });

  it('reads the ledger in Redis over a period, exports it, and reports the same from the export', async () => {
    const prefix = redis.prefix();
    const ledger = new Ledger(redis.client, { prefix });
    for (const e of [
      entry({ finishedAt: '2019-04-10T10:00:00.000Z' }),
      entry({ finishedAt: '2020-04-10T10:00:00.000Z' }), entry({ finishedAt: '2020-04-11T10:00:00.000Z', caisse: 'CPAM du Rhône' }),
      entry({ finishedAt: '2020-05-11T10:00:00.000Z', status: 'failed', manualMinutesSaved: 0, reworkMinutes: 30 }),
    ]) await ledger.record(e);
    const env = { PROWEB_DATA_DIR: dir, REDIS_URL: redis.server.url, PROWEB_PREFIX: prefix };

    const fromRedis = await runCli(['report', '--from', '2020', '--to', '2020', '--by', 'caisse'], env);
    expect(fromRedis.code).toBe(0);
    expect(fromRedis.stdout).toMatch(/^CPAM du Rhône\s+1\s+0\s+0\s+0,1\s+0,00\s+0,02\s+100,0 %\s+—$/m);
    expect(fromRedis.stdout).toMatch(/^CPAM Lille-Douai\s+2\s+0\s+1\s+-0,4\s+.*\+100 %$/m);
    expect(fromRedis.stdout).toMatch(/^Total\s+3\s+0\s+1\s+-0,3\s+.*\+200 %$/m);
    expect(fromRedis.stdout).toContain('Period: 2020-01-01 – 2020-12-31, compared with 2019-01-01 – 2019-12-31.');
    expect(fromRedis.stdout).toContain('Hours saved are net of 0,5 hours of rework on 1 failed dossiers.');

    for (const format of ['csv', 'jsonl'] as const) {
      const out = join(dir, `export-${prefix}.${format}`);
      const exported = await runCli(['ledger', 'export', '--format', format, '--out', out, '--from', '2020-04', '--to', '2020-04'], env);
      expect(exported.stdout).toBe(`2 ledger entries written to ${out}\n`);
      const all = join(dir, `all-${prefix}.${format}`);
      await runCli(['ledger', 'export', '--format', format, '--out', all], env);
      const fromFile = await runCli(['report', '--ledger-file', all, '--from', '2020', '--to', '2020', '--by', 'caisse'], { PROWEB_DATA_DIR: dir });
      expect(fromFile.stdout).toBe(fromRedis.stdout);
      expect(fromFile.leftovers).toEqual([]);
    }
  });

  it('refuses bad arguments with one line and exit code 2', async () => {
    const env = { PROWEB_DATA_DIR: dir };
    const badDate = await runCli(['report', '--from', '2020-13', '--ledger-file', national], env);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain(`option '--from <date>' argument '2020-13' is invalid. "2020-13" is not a date`);
    const backwards = await runCli(['report', '--from', '2021', '--to', '2020', '--ledger-file', national], env);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain('error: --to must come after --from');
    const missing = await runCli(['report', '--ledger-file', join(dir, 'nope.jsonl')], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^error: .*nope\.jsonl: file not found \(Give a file written by `proweb ledger export`/);
    const format = await runCli(['ledger', 'export', '--format', 'xml', '--out', join(dir, 'x.xml')], env);
    expect(format.code).toBe(2);
  });
});

describe('the demo', () => {
  it('writes the HTML gain report and prints its path; --json gives progress as JSON lines', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'proweb-demo-json-'));
    const run = await runCli(['demo', '--input', DIPA_50, '--concurrency', '2', '--no-faults', '--json'], { PROWEB_DATA_DIR: dataDir });
    expect(run.code).toBe(0);
    const path = /^Gain report \(HTML\): (\S+)$/m.exec(run.stdout)?.[1];
    expect(path).toBe(join(dataDir, 'demo', 'rapport-gains.html'));
    expect(await readFile(path!, 'utf8')).toMatch(/Dossiers traités<\/div><div class="kpi-value">50</);
    const events = run.stderr.trim().split('\n').map((l) => JSON.parse(l) as { event: string; current?: number; status?: string; done?: number });
    expect(events[0]).toEqual({ event: 'start', total: 50 });
    expect(events.filter((e) => e.event === 'dossier')).toHaveLength(50);
    expect(events.at(-1)).toMatchObject({ event: 'end', current: 50, total: 50, done: 50, rejected: 0, failed: 0 });
    expect(run.leftovers).toEqual([]);
  });
});
