import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../gains/ledger.ts';
import type { LedgerEntry } from '../../gains/ledger-entry.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';
import { entriesOf } from '../support/ledger.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.close();
});

const entry = (over: Partial<LedgerEntry> = {}): LedgerEntry => ({
  campaignId: 'c1', scenarioId: 'dipa-payment', scenarioVersion: '1.0.0', caisse: 'CPAM Lille-Douai', machine: 'robot-01',
  dossierId: 'd1', status: 'done', reference: 'PRG-2020-000001', manualMinutesSaved: 6, robotMs: 900, attempts: 1,
  finishedAt: new Date().toISOString(), ...over,
});


describe('the ledger (real Redis)', () => {
  it('records a dossier done once, even when recorded again by a retry or another campaign', async () => {
    const ledger = new Ledger(redis.client, { prefix: redis.prefix() });
    expect(await ledger.record(entry())).toEqual({ recorded: true });
    const again = await Promise.all([ledger.record(entry({ attempts: 2 })), ledger.record(entry({ campaignId: 'c2' }))]);
    expect(again.map((r) => r.recorded)).toEqual([false, false]);
    expect(again[0]!.done).toMatchObject({ reference: 'PRG-2020-000001', campaignId: 'c1' });
    expect(await entriesOf(ledger)).toHaveLength(1);
    expect(await ledger.campaignCounts('c1')).toEqual({ done: 1, rejected: 0, failed: 0 });
  });

  it('records many concurrent writes of the same dossier exactly once', async () => {
    const ledger = new Ledger(redis.client, { prefix: redis.prefix() });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => ledger.record(entry({ attempts: 1 + (i % 3) }))));
    expect(results.filter((r) => r.recorded)).toHaveLength(1);
    expect(await entriesOf(ledger)).toHaveLength(1);
  });

  it('records a rejection once per campaign, so that a corrected file can be resubmitted', async () => {
    const ledger = new Ledger(redis.client, { prefix: redis.prefix() });
    const rejected = entry({ status: 'rejected', reason: 'Refus : non conventionné', reference: undefined, manualMinutesSaved: 0 });
    expect((await ledger.record(rejected)).recorded).toBe(true);
    expect((await ledger.record(rejected)).recorded).toBe(false);
    expect((await ledger.record({ ...rejected, campaignId: 'c2' })).recorded).toBe(true);
    expect((await ledger.doneAmong('dipa-payment', ['d1'])).size).toBe(0);
    expect((await ledger.record(entry({ campaignId: 'c3' }))).recorded).toBe(true);
    expect([...(await ledger.doneAmong('dipa-payment', ['d1', 'd2'])).keys()]).toEqual(['d1']);
    expect((await entriesOf(ledger)).map((e) => e.status)).toEqual(['rejected', 'rejected', 'done']);
  });

  it('keeps each campaign’s work list: its dossiers rejected or failed, not those done', async () => {
    const ledger = new Ledger(redis.client, { prefix: redis.prefix() });
    await ledger.record(entry({ campaignId: 'c1', dossierId: 'd1', rowNumber: 4, status: 'rejected', reason: 'PS inconnu', reference: undefined, manualMinutesSaved: 0 }));
    await ledger.record(entry({ campaignId: 'c1', dossierId: 'd2', rowNumber: 2, status: 'failed', reason: 'Progrès indisponible', reference: undefined, manualMinutesSaved: 0 }));
    await ledger.record(entry({ campaignId: 'c1', dossierId: 'd3', rowNumber: 3 }));
    await ledger.record(entry({ campaignId: 'c2', dossierId: 'd4', status: 'rejected', reason: 'autre campagne', reference: undefined, manualMinutesSaved: 0 }));
    expect((await ledger.campaignWorkList('c1'))?.map((e) => [e.rowNumber, e.status, e.reason])).toEqual([[2, 'failed', 'Progrès indisponible'], [4, 'rejected', 'PS inconnu']]);
    expect(await ledger.campaignWorkList('c-none')).toEqual([]);
  });

  it('reads entries over a period', async () => {
    const ledger = new Ledger(redis.client, { prefix: redis.prefix() });
    await ledger.record(entry({ dossierId: 'a', finishedAt: '2020-03-31T12:00:00.000Z' }));
    await ledger.record(entry({ dossierId: 'b', finishedAt: '2020-04-15T12:00:00.000Z' }));
    const april: string[] = [];
    for await (const e of ledger.entries({ from: new Date('2020-04-01'), to: new Date('2020-05-01') })) april.push(e.dossierId);
    expect(april).toEqual(['b']);
  });

  it('refuses an entry that breaks its schema, before writing anything', async () => {
    const ledger = new Ledger(redis.client, { prefix: redis.prefix() });
    await expect(ledger.record(entry({ robotMs: -1 }))).rejects.toThrow();
    expect(await entriesOf(ledger)).toHaveLength(0);
  });
});
