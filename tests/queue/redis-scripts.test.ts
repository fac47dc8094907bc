import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationPauses } from '../../queue/fleet/application-pauses.ts';
import { CampaignRegistry, type CampaignRecord } from '../../queue/campaigns/campaign-registry.ts';
import { AttemptLocks } from '../../queue/fleet/attempt-locks.ts';
import { CapacityGate } from '../../queue/fleet/capacity-gate.ts';
import { readDossierStart } from '../../queue/fleet/dossier-start.ts';
import { createRedis } from '../../queue/redis/redis-connection.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';

/**
 * BullMQ is reached through its public API only (a minor release may change its keys and
 * scripts), and every Lua script of the project is a named ioredis command: ioredis 6 sends
 * its text once per connection (EVAL), then only its SHA (EVALSHA), not on every call.
 */

/** What no source file may hold, and why. */
const FORBIDDEN: { pattern: RegExp; why: string }[] = [
  { pattern: /\.eval\(|\.evalsha\(/, why: 'a Lua script sent with EVAL: define it as a named command (redis.defineCommand)' },
  { pattern: /\bnew Job\(/, why: 'a BullMQ Job built by hand: read it with queue.getJob' },
  // The commit claim checks a lock of proweb's own (queue/fleet/attempt-locks.ts), renewed with BullMQ's.
  { pattern: /:lock`|queueQualifiedName/, why: "BullMQ's lock key: the commit claim checks the dossier's attempt lock (AttemptLocks)" },
  { pattern: /\.toKey\(|\bqueue\.keys\b|\bkeys\.(?:wait|paused|delayed|prioritized|active|completed|failed|meta)\b|\bkeys\[['"]waiting-children/, why: "BullMQ's own keys: use its public methods" },
];

/**
 * The project's TypeScript sources, tests aside (they may poke at anything to check it) and
 * benches (one may reproduce an earlier version, EVAL included, to measure against it).
 */
function sources(): string[] {
  return execFileSync('git', ['ls-files', '*.ts'], { encoding: 'utf8' })
    .split('\n')
    .filter((path) => path !== '' && !path.startsWith('tests/') && !path.startsWith('bench/'));
}

function offences(path: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => FORBIDDEN.filter((f) => f.pattern.test(line)).map((f) => `${path}:${i + 1}: ${f.why}`));
}

describe('the sources', () => {
  it('send no Lua script with EVAL and reach BullMQ by its public API only', () => {
    const files = sources();
    expect(files).toContain('queue/campaigns/campaign-registry.ts');
    expect(files.flatMap((path) => offences(path, readFileSync(path, 'utf8')))).toEqual([]);
  });

  it('would be caught doing so', () => {
    const old = [
      "await this.redis.eval(CREATE, 2, key, index)",
      "new Job(queue, queue.name, {}, {}, id).promote()",
      "const keys = [k.wait!, k.paused!, k.delayed!, jobs, queue.toKey('')];",
      "const k = queue.keys;",
      "const lock = `${job.queueQualifiedName}:${job.id}:lock`;",
    ].join('\n');
    expect(offences('old.ts', old)).toHaveLength(5);
    expect(offences('new.ts', "await this.redis.prowebCampaignCreate(key, index);\nconst job = await queue.getJob(id);")).toEqual([]);
  });
});

describe('the named commands (real Redis)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });

  /** Calls per command since the last reset, from INFO commandstats. */
  async function calls(): Promise<Record<string, number>> {
    const info = await redis.client.info('commandstats');
    return Object.fromEntries([...info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
  }

  it('send each script whole once per connection, then only its SHA', async () => {
    const prefix = redis.prefix();
    const other = createRedis(redis.server.connection);
    try {
      await redis.client.config('RESETSTAT');
      for (const client of [redis.client, other, redis.client]) {
        const registry = new CampaignRegistry(client, { prefix });
        const id = `2026-12-03-${Math.random().toString(16).slice(2, 10)}`;
        const record: CampaignRecord = {
          id, scenarioId: 'dipa-payment', scenarioVersion: '1', caisse: 'CPAM Lille-Douai', file: '/partage/dipa.csv', submittedAt: new Date().toISOString(),
          rows: 0, invalidRows: 0, alreadyDone: 0, queued: 0, alreadyQueued: 0, state: 'active',
        };
        await registry.create(record);
        await registry.markStarted(id);
        expect((await registry.pause(id)).state).toBe('paused');
        const pauses = new ApplicationPauses(client, { prefix });
        expect((await pauses.pause('progres', { reason: 'Compte verrouillé.', machine: 'robot-a', at: new Date().toISOString() })).first).toBe(true);
        expect((await pauses.resume('progres', () => { throw new Error('nothing parked'); })).pause?.machine).toBe('robot-a');
        const gate = new CapacityGate(client, { prefix, capacities: { progres: { ratePerMinute: 100 } } });
        const permit = await gate.acquire(['progres'], `job-${id}`);
        expect(permit.granted).toBe(true);
        const locks = new AttemptLocks(client, { prefix, lockDurationMs: 30_000 });
        const start = await readDossierStart(client, {
          attempt: { key: locks.keyOf(`dipa-payment.${id}`), token: 'token-1', durationMs: locks.durationMs },
          campaign: registry.stateLookup(id), pauses: pauses.pausesLookup(['progres']), done: { keys: [`${prefix}:done`], field: id, read: (v) => v },
        });
        expect(start).toEqual({ campaign: 'paused', paused: [], done: undefined });
        expect(await locks.renew([{ jobId: `dipa-payment.${id}`, token: 'token-1' }])).toEqual([]);
      }
      const stats = await calls();
      // Eight scripts (create, transition, mark started, pause, resume, acquire, dossier start, attempt renewal), each called three times on two connections.
      expect(stats.eval).toBe(8 * 2);
      expect(stats.evalsha).toBe(8);
    } finally {
      other.disconnect();
    }
  });
});
