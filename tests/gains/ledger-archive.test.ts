import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveLedger } from '../../gains/archive.ts';
import { Ledger } from '../../gains/ledger.ts';
import type { LedgerEntry } from '../../gains/ledger-entry.ts';
import { readLedgerFile } from '../../gains/ledger-file.ts';
import { summarizeGains, type GainFigures } from '../../gains/report.ts';
import { runCli } from '../support/cli.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.close();
});

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const entry = (i: number, finishedAt: number): LedgerEntry => ({
  campaignId: `c${i % 3}`, scenarioId: i % 2 ? 'dipa-payment' : 'prime-covid', scenarioVersion: '1.0.0', caisse: i % 5 ? 'CPAM Lille-Douai' : 'CPAM de Paris',
  machine: `robot-0${i % 4}`, dossierId: `d${i}`, status: i % 7 === 0 ? 'failed' : 'done', ...(i % 7 === 0 ? { reworkMinutes: 10, reason: 'panne' } : { reference: `R${i}` }),
  manualMinutesSaved: i % 7 === 0 ? 0 : 6, robotMs: 1000 + i, attempts: 1, finishedAt: new Date(finishedAt).toISOString(),
});

/**
 * A ledger holding ten days of entries: written days ago (stream ids of those days, as Redis
 * gave them then, rolled up like a ledger older than the rollups), and today's, recorded now.
 */
async function tenDays(prefix: string): Promise<Ledger> {
  const ledger = new Ledger(redis.client, { prefix });
  let i = 0;
  for (let d = 10; d >= 1; d--) {
    for (let k = 0; k < 30; k++) {
      const at = today - d * DAY + 3600_000 + k * 60_000;
      await redis.client.xadd(ledger.entriesKey, `${at}-0`, 'e', JSON.stringify(entry(++i, at - 5_000)));
    }
  }
  expect(await ledger.rollUpEarlierEntries()).toBe(300);
  for (let k = 0; k < 5; k++) expect((await ledger.record(entry(++i, Date.now()))).recorded).toBe(true);
  return ledger;
}

const collect = async <T>(items: AsyncIterable<T>) => {
  const list: T[] = [];
  for await (const item of items) list.push(item);
  return list;
};
const now = new Date(today + DAY);

describe('the ledger archive', () => {
  it('archives whole days past the retention to a file each, trims them from Redis, and the archive gives the report the rollups give', async () => {
    const prefix = redis.prefix();
    const ledger = await tenDays(prefix);
    const folder = await mkdtemp(join(tmpdir(), 'proweb-ledger-archive-'));
    const before = await summarizeGains(ledger.figures({}, {}, { byMachine: true }), { by: 'machine', now });

    const dry = await archiveLedger({ redis: redis.client, ledger, folder, before: new Date(today - 3 * DAY), dryRun: true });
    expect(dry.entries).toBe(210);
    expect(await readdir(folder)).toEqual([]);
    expect(await redis.client.xlen(ledger.entriesKey)).toBe(305);

    const done = await archiveLedger({ redis: redis.client, ledger, folder, before: new Date(today - 3 * DAY + 5_000) });
    expect(done.days.map((d) => [d.day, d.entries])).toEqual([10, 9, 8, 7, 6, 5, 4].map((d) => [dayOf(today - d * DAY), 30]));
    expect((await readdir(folder)).sort()).toEqual([10, 9, 8, 7, 6, 5, 4].map((d) => `ledger-${dayOf(today - d * DAY)}.jsonl`));
    // What is left in Redis: the days within the retention, whole.
    expect(await redis.client.xlen(ledger.entriesKey)).toBe(95);
    expect((await collect(ledger.entries())).map((e) => e.dossierId)[0]).toBe('d211');

    // The archive and what Redis still holds are the whole ledger: the same report as the rollups.
    const detail: GainFigures[] = [...(await collect(readLedgerFile(folder))), ...(await collect(ledger.entries()))];
    expect(detail).toHaveLength(305);
    expect(await summarizeGains(detail, { by: 'machine', now })).toEqual(before);
    expect(await summarizeGains(detail, { by: 'scenario', now })).toEqual(await summarizeGains(ledger.figures(), { by: 'scenario', now }));
    expect(await summarizeGains(ledger.figures({}, {}, { byMachine: true }), { by: 'machine', now })).toEqual(before);
    // A period of the archive alone, read from its folder.
    const from = new Date(today - 9 * DAY);
    const to = new Date(today - 7 * DAY);
    expect(await summarizeGains(readLedgerFile(folder, { from, to }), { by: 'caisse', period: { from, to }, now }))
      .toEqual(await summarizeGains(ledger.figures({ from, to }), { by: 'caisse', period: { from, to }, now }));

    // Run again: nothing more is due, the files stay as written.
    const first = await readFile(join(folder, `ledger-${dayOf(today - 10 * DAY)}.jsonl`), 'utf8');
    expect((await archiveLedger({ redis: redis.client, ledger, folder, before: new Date(today - 3 * DAY) })).entries).toBe(0);
    expect(await readFile(join(folder, `ledger-${dayOf(today - 10 * DAY)}.jsonl`), 'utf8')).toBe(first);
    expect(first.trim().split('\n')).toHaveLength(30);
  });

  it('proweb purge archives and trims with the configured folder and retention; proweb report reads the archive folder', async () => {
    const prefix = redis.prefix();
    const ledger = await tenDays(prefix);
    const root = await mkdtemp(join(tmpdir(), 'proweb-ledger-archive-cli-'));
    const archive = join(root, 'archive');
    const config = join(root, 'proweb.config.json');
    await writeFile(config, JSON.stringify({ folders: { ledgerArchive: archive }, retention: { ledgerEntriesDays: 2 } }));
    const env = { PROWEB_DATA_DIR: join(root, 'data'), PROWEB_PREFIX: prefix };
    const run = await runCli(['purge', '--config', config, '--redis', redis.server.url], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Ledger entries older than 2 days: 240 archived in 8 day files (${dayOf(today - 10 * DAY)} – ${dayOf(today - 3 * DAY)}) in ${archive}, and trimmed from Redis`);
    expect(await redis.client.xlen(ledger.entriesKey)).toBe(65);

    const fromArchive = await runCli(['report', '--ledger-file', archive, '--by', 'scenario', '--format', 'json'], env);
    expect(fromArchive.code).toBe(0);
    expect(JSON.parse(fromArchive.stdout).total).toMatchObject({ dossiers: 240 });
    const fromRedis = await runCli(['report', '--by', 'scenario', '--format', 'json'], { ...env, REDIS_URL: redis.server.url });
    expect(JSON.parse(fromRedis.stdout).total).toMatchObject({ dossiers: 305 });
  });
});
