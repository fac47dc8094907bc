import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../gains/ledger.ts';
import type { LedgerEntry } from '../../gains/ledger-entry.ts';
import { readRangeOf, summarizeGains, type GainGrouping } from '../../gains/report.ts';
import type { Period } from '../../gains/period.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.close();
});

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

/** Entries over 2019-2020: several scenarios, caisses, machines and statuses, aggregated ones, half-minute rework. */
function ledgerOf(count: number, seed = 7): LedgerEntry[] {
  const r = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
  const start = Date.UTC(2019, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const status = pick(['done', 'done', 'done', 'rejected', 'failed'] as const);
    const dossiers = i % 37 === 0 ? 1 + Math.floor(r() * 500) : undefined;
    return {
      campaignId: `c${i % 9}`, scenarioId: pick(['dipa-payment', 'prime-covid', 'forfait-ps']), scenarioVersion: '1.0.0',
      caisse: pick(['CPAM Lille-Douai', 'CPAM du Rhône; "Lyon"', 'CPAM de Paris']), machine: pick(['robot-01', 'robot-02', 'robot-03', 'robot-04']),
      dossierId: `d${i}`, status, ...(status === 'done' ? { reference: `R${i}` } : { reason: 'refus' }),
      ...(dossiers ? { dossiers } : {}),
      manualMinutesSaved: status === 'done' ? 6 * (dossiers ?? 1) : 0,
      ...(status === 'failed' ? { reworkMinutes: 12.5 * (dossiers ?? 1) } : {}),
      robotMs: Math.floor(r() * 90_000) * (dossiers ?? 1), attempts: 1,
      finishedAt: new Date(start + Math.floor(r() * 730 * 86_400_000)).toISOString(),
    };
  });
}

const now = new Date('2021-06-01T10:20:00.000Z');
const PERIODS: Period[] = [
  {},
  { from: new Date('2020-01-01'), to: new Date('2021-01-01') },
  { from: new Date('2020-03-15'), to: new Date('2020-05-10') },
  { from: new Date('2019-11-01') },
  { to: new Date('2019-07-04') },
  // Bounds inside a day: that day is read from its entries.
  { from: new Date('2020-02-10T15:30:00.000Z'), to: new Date('2020-04-01T08:00:00.000Z') },
];
const GROUPINGS: GainGrouping[] = ['scenario', 'caisse', 'machine', 'month', 'year'];

/** The report from the rollups and the same from every entry, over each period and grouping. */
async function bothReports(ledger: Ledger) {
  const pairs = [];
  for (const period of PERIODS) {
    for (const by of GROUPINGS) {
      const range = readRangeOf(period, now);
      const options = { by, period, now };
      pairs.push({
        // A report by machine reads the machine rows besides.
        rollups: await summarizeGains(ledger.figures(range, period, { byMachine: by === 'machine' }), options),
        entries: await summarizeGains(ledger.entries(range), options),
      });
    }
  }
  return pairs;
}

describe('gain rollups (real Redis)', () => {
  it('give the same report as the entries, whatever the period and the grouping', async () => {
    const ledger = new Ledger(redis.client, { prefix: redis.prefix() });
    for (const e of ledgerOf(1500)) expect((await ledger.record(e)).recorded).toBe(true);
    const pairs = await bothReports(ledger);
    for (const { rollups, entries } of pairs) expect(rollups).toEqual(entries);
    // Not an empty comparison: the year 2020 by caisse has its three caisses, rework and growth.
    const year = pairs[1 * GROUPINGS.length + 1]!.rollups;
    expect(year.rows).toHaveLength(3);
    expect(year.total.reworkHours).toBeGreaterThan(0);
    expect(year.total.growth?.dossiers).not.toBeNull();
    expect(year.total.dossiers).toBeGreaterThan(600);
  });

  it('read a year from the month hashes, and a period cut inside months from day hashes', async () => {
    const ledger = new Ledger(redis.client, { prefix: redis.prefix() });
    const { rollupKeysOver } = await import('../../gains/rollups.ts');
    const year = await rollupKeysOver(redis.client, ledger.rollupKeys, { from: new Date('2020-01-01'), to: new Date('2021-01-01') });
    expect(year.map((p) => p.key)).toEqual(Array.from({ length: 12 }, (_, m) => ledger.rollupKeys.month(`2020-${String(m + 1).padStart(2, '0')}`)));
    const cut = await rollupKeysOver(redis.client, ledger.rollupKeys, { from: new Date('2020-03-30'), to: new Date('2020-05-02') });
    expect(cut.map((p) => p.key)).toEqual([
      ledger.rollupKeys.day('2020-03-30'), ledger.rollupKeys.day('2020-03-31'), ledger.rollupKeys.month('2020-04'),
      ledger.rollupKeys.day('2020-05-01'),
    ]);
    await expect(rollupKeysOver(redis.client, ledger.rollupKeys, { from: new Date('2020-03-30T12:00:00Z') })).rejects.toThrow(RangeError);
  });

  it('roll up once the entries of a ledger written before them, then go on from the new ones', async () => {
    const ledger = new Ledger(redis.client, { prefix: redis.prefix() });
    const all = ledgerOf(600, 11);
    // A ledger written before the rollups: its entries only.
    for (const e of all.slice(0, 400)) await redis.client.xadd(ledger.entriesKey, '*', 'e', JSON.stringify(e));
    for (const e of all.slice(400)) await ledger.record(e);
    expect(await ledger.rollUpEarlierEntries()).toBe(400);
    expect(await ledger.rollUpEarlierEntries()).toBe(0);
    for (const { rollups, entries } of await bothReports(ledger)) expect(rollups).toEqual(entries);
  });

  it('give the rows by machine from the machine rows, and from the rollups by machine where those were written before them', async () => {
    const prefix = redis.prefix();
    const ledger = new Ledger(redis.client, { prefix });
    const all = ledgerOf(900, 5);
    for (const e of all.slice(0, 600)) await ledger.record(e);
    const byMachine = async () => {
      const pairs = await bothReports(ledger);
      return pairs.filter((_, i) => GROUPINGS[i % GROUPINGS.length] === 'machine');
    };
    // A month's rollup by machine is not what a report by machine reads while it has its machine rows (a day's is).
    const detail = await redis.client.keys(`${prefix}:ledger:rollup:month:*`);
    const saved = await Promise.all(detail.map(async (k) => [k, await redis.client.hgetall(k)] as const));
    await redis.client.del(...detail);
    for (const { rollups, entries } of await byMachine()) expect(rollups).toEqual(entries);
    for (const [k, hash] of saved) await redis.client.hset(k, hash);
    // Rollups written before the machine rows: none, then some of a month's dossiers only.
    await redis.client.del(...(await redis.client.keys(`${prefix}:ledger:rollup:*-machine-rows:*`)));
    for (const e of all.slice(600)) await ledger.record(e);
    const reports = await byMachine();
    for (const { rollups, entries } of reports) expect(rollups).toEqual(entries);
    expect(reports[0]!.rollups.rows.length).toBe(4);
  });

  it('remembers a dossier done for its retention, by the week, and a campaign its dossiers as long', async () => {
    const prefix = redis.prefix();
    const ledger = new Ledger(redis.client, { prefix, doneDays: (scenario) => (scenario === 'prime-covid' ? 400 : 35) });
    const [done, rejected] = ledgerOf(40, 3).filter((e) => e.scenarioId === 'dipa-payment' && !e.dossiers).sort((a) => (a.status === 'done' ? -1 : 1));
    await ledger.record({ ...done!, status: 'done', finishedAt: new Date().toISOString() });
    await ledger.record({ ...rejected!, status: 'rejected', campaignId: 'c-rej', finishedAt: new Date().toISOString() });
    const weeks = await redis.client.keys(`${prefix}:ledger:done:dipa-payment:w[0-9]*`);
    expect(weeks).toHaveLength(1);
    const day = 86_400_000;
    const ttl = await redis.client.pttl(weeks[0]!);
    expect(ttl).toBeGreaterThan(35 * day);
    expect(ttl).toBeLessThanOrEqual(42 * day);
    const campaignTtl = await redis.client.pttl(`${prefix}:ledger:campaign:c-rej:dossiers`);
    expect(campaignTtl).toBeGreaterThan(34 * day);
    expect(campaignTtl).toBeLessThanOrEqual(35 * day);
    // What stops it being entered again: found by the enqueue, refused by the ledger.
    expect([...(await ledger.doneAmong('dipa-payment', [done!.dossierId, 'other'])).keys()]).toEqual([done!.dossierId]);
    expect((await ledger.record({ ...done!, campaignId: 'later' })).done).toMatchObject({ campaignId: done!.campaignId, reference: done!.reference });
  });

  it('still knows the dossiers done in the hash kept before the weeks', async () => {
    const prefix = redis.prefix();
    await redis.client.hset(`${prefix}:ledger:done:dipa-payment`, 'old', JSON.stringify({ reference: 'PRG-1', campaignId: 'c0', finishedAt: '2020-01-01T00:00:00.000Z' }));
    const ledger = new Ledger(redis.client, { prefix });
    expect((await ledger.doneAmong('dipa-payment', ['old'])).get('old')).toEqual({ reference: 'PRG-1', campaignId: 'c0', finishedAt: '2020-01-01T00:00:00.000Z' });
    const again = await ledger.record({ ...ledgerOf(1)[0]!, scenarioId: 'dipa-payment', dossierId: 'old', status: 'done' });
    expect(again).toEqual({ recorded: false, done: { reference: 'PRG-1', campaignId: 'c0', finishedAt: '2020-01-01T00:00:00.000Z' } });
  });
});
