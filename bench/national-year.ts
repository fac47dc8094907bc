/**
 * A national year through the ledger's own code: what Redis holds for it, and how long a
 * year's report takes. `node --import tsx bench/national-year.ts [--sample-days 2] [--machines 2434] [--per-dossier-only]`
 *
 * The year is 2020 as ProWeb lived it: 33.6 M dossiers over its 262 weekdays, 2 434 robot
 * machines in 100 caisses, 5 scenarios (a machine runs one a day, another the next week),
 * 94 % done, 5 % rejected, 1 % failed. Two measures, on a private redis-server without
 * persistence:
 *
 * 1. Per dossier, `--sample-days` weekdays at the year's density, one entry per dossier, written
 *    twice: by the recording script as it was before the rollups (stream + `done` hash + the
 *    campaign's hash, all kept for good) and by {@link Ledger.record}. Bytes by kind of key
 *    (`MEMORY USAGE`), per million dossiers; the year after = rollups (measured in 2) + done
 *    records of the retention window + entries of `ledgerEntriesDays` + campaign keys, each
 *    extrapolated with its measured bytes per dossier.
 * 2. The year's rollups, written by `Ledger.record` with one aggregated entry per machine, day,
 *    scenario and status (the rollups of the dossiers one by one, same fields and sums), then
 *    `summarizeGains` over the rollups for 2020 by month, caisse and scenario (with 2019 as the
 *    comparison); against it, the time to read the entries of the year, extrapolated from the
 *    sample's rate.
 *
 * The fleet half (BullMQ workers at the national peak rate, 2 434 heartbeats, Redis CPU, queue
 * overhead per dossier) is `bench/national-fleet.ts`, run after this one by `npm run bench`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { Ledger } from '../gains/ledger.ts';
import type { LedgerEntry } from '../gains/ledger-entry.ts';
import { readRangeOf, summarizeGains, type GainGrouping } from '../gains/report.ts';

const { values: args } = parseArgs({
  options: {
    'sample-days': { type: 'string', default: '2' },
    machines: { type: 'string', default: '2434' },
    'done-days': { type: 'string', default: '35' },
    'entries-days': { type: 'string', default: '7' },
    /** Part 1 only (bytes per dossier), to iterate quickly: the year's rollups are measured in part 2. */
    'per-dossier-only': { type: 'boolean', default: false },
  },
});
const SAMPLE_DAYS = Number(args['sample-days']);
const MACHINES = Number(args.machines);
const DONE_DAYS = Number(args['done-days']);
const ENTRIES_DAYS = Number(args['entries-days']);

const YEAR_DOSSIERS = 33_634_572;
const SCENARIOS = ['dipa-payment', 'forfait-ps', 'prime-covid', 'prn-entry', 'autonomisation-ayants-droit'] as const;
const MANUAL: Record<string, number> = { 'dipa-payment': 6, 'forfait-ps': 5, 'prime-covid': 3, 'prn-entry': 4, 'autonomisation-ayants-droit': 5 };
const CAISSES = Array.from({ length: 100 }, (_, i) => `CPAM de la circonscription ${String(i + 1).padStart(3, '0')}`);
const DAY = 86_400_000;
const WEEKDAYS: number[] = [];
for (let t = Date.UTC(2020, 0, 1); t < Date.UTC(2021, 0, 1); t += DAY) if (![0, 6].includes(new Date(t).getUTCDay())) WEEKDAYS.push(t);
const PER_WEEKDAY = YEAR_DOSSIERS / WEEKDAYS.length;

/** A deterministic generator, so that two runs write the same year. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface MachineDay {
  machine: string;
  caisse: string;
  scenario: string;
  campaignId: string;
  statuses: ('done' | 'rejected' | 'failed')[];
}

/** Each machine's dossiers of a weekday, one status a dossier. */
function* machineDays(dayIndex: number, r: () => number): Generator<MachineDay> {
  const t = WEEKDAYS[dayIndex]!;
  const week = Math.floor(dayIndex / 5);
  const month = new Date(t).toISOString().slice(0, 7);
  // The year's dossiers split exactly over its weekdays, then over the machines.
  const dayTotal = Math.floor(((dayIndex + 1) * YEAR_DOSSIERS) / WEEKDAYS.length) - Math.floor((dayIndex * YEAR_DOSSIERS) / WEEKDAYS.length);
  const base = Math.floor(dayTotal / MACHINES);
  const extra = dayTotal - base * MACHINES;
  for (let m = 0; m < MACHINES; m++) {
    const caisse = m % 100;
    const scenario = SCENARIOS[(m + week) % SCENARIOS.length]!;
    const n = base + (m < extra ? 1 : 0);
    const statuses = Array.from({ length: n }, () => {
      const x = r();
      return x < 0.94 ? 'done' as const : x < 0.99 ? 'rejected' as const : 'failed' as const;
    });
    yield { machine: `robot-${String(caisse + 1).padStart(3, '0')}-${String(Math.floor(m / 100) + 1).padStart(2, '0')}`, caisse: CAISSES[caisse]!, scenario, campaignId: `${month}-01-${String(caisse).padStart(4, '0')}${(m + week) % 5}`, statuses };
  }
}

let counter = 0;
function dossierEntry(day: MachineDay, status: 'done' | 'rejected' | 'failed', at: number, r: () => number): LedgerEntry {
  const i = ++counter;
  return {
    campaignId: day.campaignId, scenarioId: day.scenario, scenarioVersion: '1.0.0', caisse: day.caisse, machine: day.machine,
    // Like a real one: the first 24 hex digits of an HMAC (queue/campaigns/dossier-id.ts), evenly spread.
    dossierId: createHash('sha256').update(String(i)).digest('hex').slice(0, 24), rowNumber: 2 + (i % 5000), status,
    ...(status === 'done' ? { reference: `PRG-2020-${String(i).padStart(9, '0')}` } : { reason: status === 'rejected' ? 'Refus : PS non conventionné' : 'Progrès indisponible' }),
    manualMinutesSaved: status === 'done' ? MANUAL[day.scenario]! : 0, ...(status === 'failed' ? { reworkMinutes: 10 } : {}),
    robotMs: 400 + Math.floor(r() * 900), attempts: 1, finishedAt: new Date(at).toISOString(),
  };
}

/** The recording script as it was before the rollups: stream, done hash and campaign hashes kept for good. */
const BEFORE = `
local done = redis.call('HGET', KEYS[1], ARGV[1])
if done then return {0, done} end
if ARGV[2] == 'done' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
elseif redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then
  return {0, false}
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[3], ARGV[2], 1)
redis.call('XADD', KEYS[4], '*', 'e', ARGV[3])
if ARGV[2] == 'done' then redis.call('HDEL', KEYS[5], ARGV[1]) else redis.call('HSET', KEYS[5], ARGV[1], ARGV[3]) end
return {1, false}
`;

async function recordBefore(redis: Redis, prefix: string, e: LedgerEntry): Promise<void> {
  const k = (...parts: string[]) => [prefix, 'ledger', ...parts].join(':');
  await redis.eval(BEFORE, 5, k('done', e.scenarioId), k('campaign', e.campaignId, 'dossiers'), k('campaign', e.campaignId, 'counts'), k('entries'), k('campaign', e.campaignId, 'worklist'),
    e.dossierId, e.status, JSON.stringify(e), JSON.stringify({ reference: e.reference ?? '', campaignId: e.campaignId, finishedAt: e.finishedAt }));
}

/** Runs `work` over `items` with `width` in flight (one connection pipelines them). */
async function pool<T>(items: Iterable<T>, width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  const it = items[Symbol.iterator]();
  await Promise.all(Array.from({ length: width }, async () => {
    for (let next = it.next(); !next.done; next = it.next()) await work(next.value);
  }));
}

/** Bytes Redis holds for the keys under a prefix, by kind of key. */
async function memoryByKind(redis: Redis, prefix: string): Promise<Record<string, number>> {
  const kinds: Record<string, number> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const rest = key.slice(prefix.length + ':ledger:'.length);
      const kind = rest.startsWith('rollup:') ? `rollup:${rest.split(':')[1]}` : rest.startsWith('campaign:') ? `campaign:${rest.split(':').at(-1)}` : rest.startsWith('done:') ? 'done' : rest;
      kinds[kind] = (kinds[kind] ?? 0) + Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
    }
  } while (cursor !== '0');
  return kinds;
}

async function startRedis(dir: string): Promise<{ redis: Redis; server: ChildProcess }> {
  const socket = join(dir, 'redis.sock');
  const server = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--save', '', '--appendonly', 'no', '--dir', dir, '--maxmemory-policy', 'noeviction'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  server.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  for (let i = 0; !output.includes('Ready to accept connections') && i < 500; i++) await new Promise((r) => setTimeout(r, 10));
  return { redis: new Redis({ path: socket, maxRetriesPerRequest: null }), server };
}

const mb = (bytes: number) => (bytes / 1024 ** 2).toFixed(1);
const perMillion = (bytes: number, dossiers: number) => mb((bytes / dossiers) * 1e6);

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'proweb-bench-national-'));
  const { redis, server } = await startRedis(dir);
  try {
    console.log(`National year: ${YEAR_DOSSIERS.toLocaleString('fr-FR')} dossiers over ${WEEKDAYS.length} weekdays of 2020, ${MACHINES} machines, ${CAISSES.length} caisses, ${SCENARIOS.length} scenarios; done kept ${DONE_DAYS} days, entries ${ENTRIES_DAYS} days.`);

    // 1. One entry per dossier, over sample weekdays, before and after.
    const ledger = new Ledger(redis, { prefix: 'after', doneDays: DONE_DAYS });
    const r = random(2020);
    const sample: LedgerEntry[] = [];
    for (let d = 0; d < SAMPLE_DAYS; d++) {
      for (const day of machineDays(40 + d, r)) for (const [k, status] of day.statuses.entries()) sample.push(dossierEntry(day, status, WEEKDAYS[40 + d]! + 8 * 3600_000 + k * 600_000, r));
    }
    let t0 = performance.now();
    await pool(sample, 64, (e) => recordBefore(redis, 'before', e));
    const beforeRate = sample.length / ((performance.now() - t0) / 1000);
    t0 = performance.now();
    await pool(sample, 64, (e) => ledger.record(e));
    const afterRate = sample.length / ((performance.now() - t0) / 1000);
    const before = await memoryByKind(redis, 'before');
    const after = await memoryByKind(redis, 'after');
    const n = sample.length;
    console.log(`\n1. ${n.toLocaleString('fr-FR')} dossiers one by one (${SAMPLE_DAYS} weekdays): recorded ${Math.round(beforeRate)}/s before, ${Math.round(afterRate)}/s after.`);
    console.log('   bytes per million dossiers, by kind of key:');
    for (const [label, kinds] of [['before', before], ['after', after]] as const) {
      console.log(`   ${label.padEnd(6)} ${Object.entries(kinds).sort().map(([k, v]) => `${k} ${perMillion(v, n)} MB`).join(', ')}`);
    }
    // Reading the entries, as a report did before: the rate, for the year.
    t0 = performance.now();
    await summarizeGains(ledger.entries(), { by: 'caisse' });
    const readRate = n / ((performance.now() - t0) / 1000);

    if (args['per-dossier-only']) return;

    // 2. The year's rollups: one aggregated entry per machine, day, scenario and status.
    const yearLedger = new Ledger(redis, { prefix: 'year', doneDays: DONE_DAYS });
    const ry = random(33);
    let groups = 0;
    t0 = performance.now();
    for (let d = 0; d < WEEKDAYS.length; d++) {
      const aggregates: LedgerEntry[] = [];
      for (const day of machineDays(d, ry)) {
        for (const status of ['done', 'rejected', 'failed'] as const) {
          const count = day.statuses.filter((s) => s === status).length;
          if (count === 0) continue;
          aggregates.push({
            campaignId: day.campaignId, scenarioId: day.scenario, scenarioVersion: '1.0.0', caisse: day.caisse, machine: day.machine,
            dossierId: `agg-${d}-${day.machine}-${status}`, status, dossiers: count,
            manualMinutesSaved: status === 'done' ? count * MANUAL[day.scenario]! : 0, ...(status === 'failed' ? { reworkMinutes: 10 * count } : {}),
            robotMs: count * 850, attempts: 1, finishedAt: new Date(WEEKDAYS[d]! + 12 * 3600_000).toISOString(),
          });
        }
      }
      groups += aggregates.length;
      await pool(aggregates, 64, (e) => yearLedger.record(e));
    }
    const writeS = (performance.now() - t0) / 1000;
    const year = await memoryByKind(redis, 'year');
    const rollupBytes = Object.entries(year).filter(([k]) => k.startsWith('rollup:')).reduce((s, [, v]) => s + v, 0);
    console.log(`\n2. The year's rollups: ${groups.toLocaleString('fr-FR')} groups (machine × day × scenario × status) written in ${writeS.toFixed(0)} s; ${Object.entries(year).filter(([k]) => k.startsWith('rollup:')).map(([k, v]) => `${k} ${mb(v)} MB`).join(', ')}.`);

    const period = { from: new Date('2020-01-01'), to: new Date('2021-01-01') };
    const now = new Date('2021-01-15');
    const times: string[] = [];
    let total = 0;
    for (const by of ['month', 'caisse', 'scenario', 'machine'] as GainGrouping[]) {
      const t = performance.now();
      const report = await summarizeGains(yearLedger.figures(readRangeOf(period, now), period, { byMachine: by === 'machine' }), { by, period, now });
      times.push(`by ${by} ${((performance.now() - t) / 1000).toFixed(2)} s`);
      total = report.total.dossiers;
    }
    const t = performance.now();
    const days = { from: new Date('2020-03-16'), to: new Date('2020-05-11') };
    await summarizeGains(yearLedger.figures(readRangeOf(days, now), days), { by: 'caisse', period: days, now });
    times.push(`16 March – 10 May by caisse ${((performance.now() - t) / 1000).toFixed(2)} s`);
    if (total !== YEAR_DOSSIERS) throw new Error(`the year's report counts ${total} dossiers, not ${YEAR_DOSSIERS}`);
    console.log(`   report of 2020 from the rollups (${total.toLocaleString('fr-FR')} dossiers, 2019 compared): ${times.join(', ')}`);
    console.log(`   report of 2020 from the entries, as before: ${(YEAR_DOSSIERS / readRate).toFixed(0)} s (${Math.round(readRate)} entries/s read and added up)`);

    // The year in Redis, before and after.
    const perDossier = (kinds: Record<string, number>, ...keys: string[]) => keys.reduce((s, k) => s + (kinds[k] ?? 0), 0) / n;
    const beforeYear = perDossier(before, 'entries', 'done', 'campaign:dossiers', 'campaign:counts', 'campaign:worklist') * YEAR_DOSSIERS;
    const window = (days: number) => Math.min(YEAR_DOSSIERS, PER_WEEKDAY * days * (5 / 7));
    const doneYear = perDossier(after, 'done') * window(DONE_DAYS + 7);
    const entriesYear = perDossier(after, 'entries') * window(ENTRIES_DAYS + 1);
    const campaignYear = perDossier(after, 'campaign:dossiers', 'campaign:counts', 'campaign:worklist') * window(DONE_DAYS + 31);
    const afterYear = rollupBytes + doneYear + entriesYear + campaignYear;
    console.log('\n| Redis for the year 2020 | before (stream + done hash, kept for good) | after (rollups + retention) |');
    console.log('|---|---:|---:|');
    console.log(`| per million dossiers | ${perMillion(beforeYear, YEAR_DOSSIERS)} MB | ${perMillion(afterYear, YEAR_DOSSIERS)} MB |`);
    console.log(`| the year | ${(beforeYear / 1024 ** 3).toFixed(2)} GB | ${(afterYear / 1024 ** 3).toFixed(2)} GB |`);
    console.log(`| of which | entries ${mb(perDossier(before, 'entries') * YEAR_DOSSIERS)} MB, done ${mb(perDossier(before, 'done') * YEAR_DOSSIERS)} MB, campaigns ${mb(perDossier(before, 'campaign:dossiers', 'campaign:counts', 'campaign:worklist') * YEAR_DOSSIERS)} MB | rollups ${mb(rollupBytes)} MB, done ${mb(doneYear)} MB, entries ${mb(entriesYear)} MB, campaigns ${mb(campaignYear)} MB |`);
  } finally {
    await redis.quit();
    server.kill('SIGTERM');
    await once(server, 'exit');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
