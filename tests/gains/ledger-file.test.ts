import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../gains/ledger.ts';
import type { LedgerEntry } from '../../gains/ledger-entry.ts';
import { exportLedger, readLedgerFile } from '../../gains/ledger-file.ts';
import { summarizeGains } from '../../gains/report.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';

let redis: TestRedis;
let dir: string;
beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(join(tmpdir(), 'proweb-ledger-file-'));
});
afterAll(async () => {
  await redis?.close();
});

const entries: LedgerEntry[] = [
  { campaignId: 'c1', scenarioId: 'dipa-payment', scenarioVersion: '1.2.0', caisse: 'CPAM Lille-Douai', machine: 'robot-01', dossierId: 'a', rowNumber: 2, status: 'done', reference: 'PRG-2020-000001', alreadyEntered: true, manualMinutesSaved: 6, robotMs: 900, attempts: 2, finishedAt: '2020-03-31T12:00:00.000Z' },
  { campaignId: 'c1', scenarioId: 'dipa-payment', scenarioVersion: '1.2.0', caisse: 'CPAM du Rhône; "Lyon"', machine: 'robot-01', dossierId: 'b', rowNumber: 3, status: 'rejected', reason: 'Refus : non conventionné;\nà revoir "vite"', manualMinutesSaved: 0, robotMs: 700, attempts: 1, finishedAt: '2020-04-15T12:00:00.000Z' },
  { campaignId: 'c1', scenarioId: 'dipa-payment', scenarioVersion: '1.2.0', caisse: 'CPAM Lille-Douai', machine: 'robot-02', dossierId: 'c', status: 'failed', reason: '=HYPERLINK("http://x";"clic") from a page', manualMinutesSaved: 0, reworkMinutes: 12.5, robotMs: 0, attempts: 3, finishedAt: '2020-04-16T12:00:00.000Z' },
  { campaignId: 'import-2019', scenarioId: 'saisie-prn', scenarioVersion: '1.0.0', caisse: 'CPAM Lille-Douai', machine: 'robot-03', dossierId: 'agg-1', status: 'done', dossiers: 150_000, manualMinutesSaved: 142_500, robotMs: 3_000_000_000, attempts: 1, finishedAt: '2020-05-01T00:00:00.000Z' },
];

const collect = async <T>(items: AsyncIterable<T>) => {
  const list: T[] = [];
  for await (const item of items) list.push(item);
  return list;
};

describe('ledger exports (CSV and JSON lines)', () => {
  it.each(['csv', 'jsonl'] as const)('exports the Redis ledger to %s and reads it back entry for entry, giving the same report', async (format) => {
    const ledger = new Ledger(redis.client, { prefix: redis.prefix() });
    for (const e of entries) expect((await ledger.record(e)).recorded).toBe(true);
    const out = join(dir, `ledger.${format}`);
    expect(await exportLedger(ledger.entries(), { format, out })).toBe(4);
    expect(await collect(readLedgerFile(out))).toEqual(entries);
    const fromRedis = await summarizeGains(ledger.entries(), { by: 'caisse', now: new Date(0) });
    const fromFile = await summarizeGains(readLedgerFile(out), { by: 'caisse', now: new Date(0) });
    expect(fromFile).toEqual(fromRedis);
    expect((await readdir(dir)).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('writes a CSV a spreadsheet opens: BOM, header, semicolons', async () => {
    const out = join(dir, 'plain.csv');
    await exportLedger(entries.slice(0, 1), { format: 'csv', out });
    const [header, line] = (await readFile(out, 'utf8')).split('\r\n');
    expect(header).toBe('\ufeffcampaignId;scenarioId;scenarioVersion;caisse;machine;dossierId;rowNumber;status;reference;reason;alreadyEntered;dossiers;manualMinutesSaved;reworkMinutes;robotMs;attempts;finishedAt');
    expect(line).toBe('c1;dipa-payment;1.2.0;CPAM Lille-Douai;robot-01;a;2;done;PRG-2020-000001;;true;;6;;900;2;2020-03-31T12:00:00.000Z');
  });

  it('keeps a reason that starts like a formula as text in the CSV, and reads it back as it was', async () => {
    const out = join(dir, 'formula.csv');
    await exportLedger(entries.slice(2, 3), { format: 'csv', out });
    expect((await readFile(out, 'utf8')).split('\r\n')[1]).toContain(`;"'=HYPERLINK(""http://x"";""clic"") from a page";`);
    expect(await collect(readLedgerFile(out))).toEqual(entries.slice(2, 3));
  });

  it('reads a period only', async () => {
    const out = join(dir, 'period.jsonl');
    await exportLedger(entries, { format: 'jsonl', out });
    const april = await collect(readLedgerFile(out, { from: new Date('2020-04-01'), to: new Date('2020-05-01') }));
    expect(april.map((e) => e.dossierId)).toEqual(['b', 'c']);
  });

  it('names the file and the line of a bad entry, and refuses what is not an export', async () => {
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, `${JSON.stringify(entries[0])}\n\n${JSON.stringify({ ...entries[1], status: 'lost' })}\n`);
    await expect(collect(readLedgerFile(bad))).rejects.toThrow(`${bad}: line 3: status:`);
    const badCsv = join(dir, 'bad.csv');
    await writeFile(badCsv, 'campaignId;status\nc1;done\n');
    await expect(collect(readLedgerFile(badCsv))).rejects.toThrow(`${badCsv}: line 2: `);
    await expect(collect(readLedgerFile(join(dir, 'missing.jsonl')))).rejects.toMatchObject({ name: 'LedgerFileError', message: expect.stringContaining('file not found') });
    await expect(collect(readLedgerFile(join(dir, 'ledger.xlsx')))).rejects.toThrow('unknown ledger file type ".xlsx"');
  });
});
