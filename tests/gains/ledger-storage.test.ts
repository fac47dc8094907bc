import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry } from '../../gains/entry-codec.ts';
import { Ledger } from '../../gains/ledger.ts';
import type { LedgerEntry } from '../../gains/ledger-entry.ts';
import { entriesOf } from '../support/ledger.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';

/**
 * How the ledger keeps a national year under 1 GB: entries as compact arrays, done records in
 * small bucket hashes Redis keeps as listpacks; and what ledgers before wrote stays readable.
 */
let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.close();
});

/** A dossier id like queue/campaigns/dossier-id.ts gives: 24 hex digits of an HMAC. */
const idOf = (i: number) => createHash('sha256').update(String(i)).digest('hex').slice(0, 24);

const entry = (i: number, over: Partial<LedgerEntry> = {}): LedgerEntry => ({
  campaignId: '2020-03-02-1a2b3c4d', scenarioId: 'dipa-payment', scenarioVersion: '1.2.0', caisse: 'CPAM Lille-Douai', machine: 'robot-591-01',
  dossierId: idOf(i), rowNumber: i + 2, status: 'done', reference: `PRG-2020-${String(i).padStart(6, '0')}`, manualMinutesSaved: 6, robotMs: 900, attempts: 1,
  finishedAt: new Date().toISOString(), ...over,
});
const WEEK_MS = 7 * 86_400_000;

describe('the ledger’s storage in Redis', () => {
  it('keeps an entry as a compact array, half the JSON object, and reads every field back', () => {
    const full = entry(1, { status: 'failed', reference: undefined, reason: 'Progrès indisponible\t"500"', alreadyEntered: false, dossiers: 3, reworkMinutes: 20, rowNumber: 9 });
    const stored = encodeEntry(full);
    expect(stored.startsWith('[')).toBe(true);
    expect(stored.length).toBeLessThan(JSON.stringify(full).length * 0.6);
    expect(decodeEntry(stored)).toEqual(JSON.parse(JSON.stringify(full)));
    // An entry without its optional fields: nothing absent comes back as a value.
    const bare = entry(2, { rowNumber: undefined });
    expect(decodeEntry(encodeEntry(bare))).toEqual(JSON.parse(JSON.stringify(bare)));
  });

  it('records entries compact in the stream and the work list, and reads those written as objects before', async () => {
    const prefix = redis.prefix();
    const ledger = new Ledger(redis.client, { prefix });
    // Written by a ledger before the compact form: an object under field `e`, in the stream and the work list.
    const earlier = entry(1, { status: 'rejected', reference: undefined, reason: 'PS non conventionné' });
    await redis.client.xadd(ledger.entriesKey, '*', 'e', JSON.stringify(earlier));
    await redis.client.hset(`${prefix}:ledger:campaign:${earlier.campaignId}:worklist`, earlier.dossierId, JSON.stringify(earlier));
    await redis.client.hincrby(`${prefix}:ledger:campaign:${earlier.campaignId}:counts`, 'rejected', 1);
    const now = entry(2, { status: 'failed', reference: undefined, reason: 'écran changé', reworkMinutes: 20 });
    expect(await ledger.record(now)).toEqual({ recorded: true });
    const stream = await redis.client.xrange(ledger.entriesKey, '-', '+');
    expect(stream.map(([, fields]) => fields[0])).toEqual(['e', 'c']);
    expect(stream[1]![1][1]!.startsWith('[')).toBe(true);
    expect(await entriesOf(ledger)).toEqual([earlier, now]);
    expect(await ledger.campaignWorkList(earlier.campaignId)).toEqual([earlier, now]);
  });

  it('keeps done records in small listpack buckets by week and finds them, and those of the week hashes before', async () => {
    const prefix = redis.prefix();
    const ledger = new Ledger(redis.client, { prefix });
    const dossiers = Array.from({ length: 300 }, (_, i) => entry(i));
    await Promise.all(dossiers.map((d) => ledger.record(d)));
    const week = Math.floor(Date.now() / WEEK_MS);
    const buckets = (await redis.client.keys(`${prefix}:ledger:done:dipa-payment:w*`)).filter((k) => !k.endsWith(':weeks'));
    // A record a bucket, here: 300 ids over 4 096 buckets, a few share one.
    expect(buckets.length).toBeGreaterThan(250);
    expect(buckets.every((k) => k.startsWith(`${prefix}:ledger:done:dipa-payment:w${week}:`) || k.startsWith(`${prefix}:ledger:done:dipa-payment:w${week + 1}:`))).toBe(true);
    for (const key of buckets.slice(0, 20)) {
      expect(await redis.client.object('ENCODING', key)).toBe('listpack');
      expect(await redis.client.pttl(key)).toBeGreaterThan(0);
    }
    const found = await ledger.doneAmong('dipa-payment', [...dossiers.map((d) => d.dossierId), idOf(999)]);
    expect(found.size).toBe(300);
    expect(found.get(idOf(7))).toMatchObject({ reference: 'PRG-2020-000007', campaignId: '2020-03-02-1a2b3c4d' });

    // A done record of a ledger before the buckets, in its week's hash: still found, and still stops a second record.
    const old = entry(1000);
    await redis.client.hset(`${prefix}:ledger:done:dipa-payment:w${week - 1}`, old.dossierId, `${Date.now()}\t2020-02-24-00000000\tPRG-OLD`);
    expect((await ledger.doneAmong('dipa-payment', [old.dossierId])).get(old.dossierId)).toMatchObject({ reference: 'PRG-OLD' });
    expect(await ledger.record(old)).toMatchObject({ recorded: false, done: { reference: 'PRG-OLD' } });
    expect(await ledger.record(dossiers[5]!)).toMatchObject({ recorded: false, done: { reference: 'PRG-2020-000005' } });
  });
});
