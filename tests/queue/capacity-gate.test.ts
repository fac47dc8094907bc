import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.ts';
import { CapacityGate, type CapacityDecision, type CapacityGateOptions } from '../../queue/fleet/capacity-gate.ts';
import { createRedis } from '../../queue/redis/redis-connection.ts';
import { eventually } from '../support/eventually.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';

let redis: TestRedis;
/** A second machine's connection to the same Redis. */
let other: Redis;
beforeAll(async () => {
  redis = await startTestRedis();
  other = createRedis(redis.server.connection);
});
afterAll(async () => {
  await other?.quit();
  await redis?.close();
});

/** An injectable clock: Thursday 12 March 2026, 10:00 in Paris, unless told otherwise. */
function clock(startIso = '2026-03-12T09:00:00Z') {
  let t = Date.parse(startIso);
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

type Options = Omit<CapacityGateOptions, 'prefix'>;
/** Two gates on two connections: two robot machines sharing one Redis. */
function machines(prefix: string, options: Options): [CapacityGate, CapacityGate] {
  return [new CapacityGate(redis.client, { prefix, ...options }), new CapacityGate(other, { prefix, ...options })];
}

const granted = (decisions: CapacityDecision[]) => decisions.filter((d) => d.granted);
const refused = (d: CapacityDecision) => {
  if (d.granted) throw new Error('expected a refusal, got a grant');
  return d;
};

describe('the capacity gate (real Redis)', () => {
  it('grants applications without limits, and applications it does not know, without touching Redis', async () => {
    const prefix = redis.prefix();
    const gate = new CapacityGate(redis.client, { prefix, capacities: { bdo: {} } });
    const d = await gate.acquire(['bdo', 'grh'], 'job-1');
    expect(d.granted).toBe(true);
    if (d.granted) {
      await d.release();
      await d.release();
    }
    expect(await redis.client.keys(`${prefix}:*`)).toEqual([]);
  });

  it('holds the rate limit across two machines sharing Redis', async () => {
    const c = clock();
    const [a, b] = machines(redis.prefix(), { capacities: { progres: { ratePerMinute: 5 } }, now: c.now });
    const decisions = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).acquire(['progres'], `job-${i}`)));
    expect(granted(decisions)).toHaveLength(5);
    for (const d of decisions.filter((x) => !x.granted)) {
      expect(refused(d)).toEqual({ granted: false, retryInMs: 60_000, reason: 'progres: 5 dossiers per minute reached' });
    }
    // Releasing does not give the rate back: those dossiers did start.
    await Promise.all(granted(decisions).map((d) => d.granted && d.release()));
    expect((await a.acquire(['progres'], 'job-x')).granted).toBe(false);
    expect((await a.usage('progres')).dossiersLastMinute).toBe(5);

    c.advance(59_999);
    expect(refused(await b.acquire(['progres'], 'job-y')).retryInMs).toBe(1);
    c.advance(1);
    const again = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).acquire(['progres'], `job-z${i}`)));
    expect(granted(again)).toHaveLength(5);
  });

  it('slides the window: the retry is when the oldest start leaves the last minute', async () => {
    const c = clock();
    const gate = new CapacityGate(redis.client, { prefix: redis.prefix(), capacities: { ij: { ratePerMinute: 3 } }, now: c.now });
    for (const step of [0, 10_000, 10_000]) {
      c.advance(step);
      expect((await gate.acquire(['ij'], 'job')).granted).toBe(true);
    }
    c.advance(10_000); // starts at 0 s, 10 s, 20 s; now 30 s
    expect(refused(await gate.acquire(['ij'], 'job')).retryInMs).toBe(30_000);
    c.advance(30_000); // the start at 0 s has left
    expect((await gate.acquire(['ij'], 'job')).granted).toBe(true);
    expect(refused(await gate.acquire(['ij'], 'job')).retryInMs).toBe(10_000);
  });

  it('never grants more sessions than maxSessions, however many machines ask at once (Redis server time)', async () => {
    const [a, b] = machines(redis.prefix(), { capacities: { progres: { maxSessions: 4 } } });
    const decisions = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).acquire(['progres'], `job-${i}`)));
    const grants = granted(decisions);
    expect(grants).toHaveLength(4);
    expect((await a.usage('progres')).sessionHolders).toHaveLength(4);
    for (const d of decisions.filter((x) => !x.granted)) {
      expect(refused(d)).toEqual({ granted: false, retryInMs: 1000, reason: 'progres: 4 sessions in use (maxSessions 4)' });
    }
    await Promise.all(grants.map((d) => d.granted && d.release()));
    expect((await b.usage('progres')).sessionHolders).toEqual([]);
  });

  it('frees a permit on release, for another machine; a second release changes nothing', async () => {
    const [a, b] = machines(redis.prefix(), { capacities: { grh: { maxSessions: 1 } } });
    const first = await a.acquire(['grh'], 'job-1');
    expect(first.granted).toBe(true);
    expect((await b.acquire(['grh'], 'job-2')).granted).toBe(false);
    if (first.granted) await first.release();
    const second = await b.acquire(['grh'], 'job-2');
    expect(second.granted).toBe(true);
    if (first.granted) await first.release();
    expect((await a.usage('grh')).sessionHolders).toEqual(['job-2']);
    expect((await a.acquire(['grh'], 'job-3')).granted).toBe(false);
    if (second.granted) await second.release();
  });

  it('gives a dead machine’s permit back when its lease runs out', async () => {
    const c = clock();
    const prefix = redis.prefix();
    const dying = createRedis(redis.server.connection);
    const options = { prefix, capacities: { progres: { maxSessions: 1 } }, now: c.now, sessionLeaseMs: 60_000 };
    const held = await new CapacityGate(dying, options).acquire(['progres'], 'job-dead');
    expect(held.granted).toBe(true);
    dying.disconnect(); // the machine is gone, without releasing
    const survivor = new CapacityGate(other, options);
    expect((await survivor.acquire(['progres'], 'job-2')).granted).toBe(false);
    c.advance(59_999);
    // The lease lapses sooner than the usual poll: the advice says so.
    expect(refused(await survivor.acquire(['progres'], 'job-2')).retryInMs).toBe(1);
    c.advance(1);
    const taken = await survivor.acquire(['progres'], 'job-2');
    expect(taken.granted).toBe(true);
    expect((await survivor.usage('progres')).sessionHolders).toEqual(['job-2']);
    if (taken.granted) await taken.release();
  });

  it('renews the lease of a permit while it is held, so that a long dossier keeps it', async () => {
    const c = clock();
    const prefix = redis.prefix();
    const [a, b] = machines(prefix, { capacities: { progres: { maxSessions: 1 } }, now: c.now, sessionLeaseMs: 3_000 });
    const started = c.now();
    const held = await a.acquire(['progres'], 'job-long');
    expect(held.granted).toBe(true);
    c.advance(2_000);
    // The renewal (every third of the lease) moves the expiry to the clock's now + lease.
    await eventually(async () => {
      const key = `${prefix}:capacity:progres:sessions`;
      const [token] = await redis.client.zrange(key, '0', '-1');
      return token !== undefined && Number(await redis.client.zscore(key, token)) === started + 5_000;
    }, 'the lease renewed');
    c.advance(2_000); // past the first lease
    expect((await b.acquire(['progres'], 'job-2')).granted).toBe(false);
    if (held.granted) await held.release();
    const next = await b.acquire(['progres'], 'job-2');
    expect(next.granted).toBe(true);
    if (next.granted) await next.release();
  });

  it('takes all the applications of a scenario or none of them', async () => {
    const c = clock();
    const gate = new CapacityGate(redis.client, {
      prefix: redis.prefix(),
      capacities: { 'ameli-pro': { ratePerMinute: 10, maxSessions: 5 }, progres: { ratePerMinute: 1, maxSessions: 1 } },
      now: c.now,
    });
    const progresOnly = await gate.acquire(['progres'], 'job-1');
    expect(progresOnly.granted).toBe(true);

    // Progrès refuses (its one session and its one start a minute are taken): ameli pro is not consumed.
    const both = refused(await gate.acquire(['ameli-pro', 'progres'], 'job-2'));
    expect(both.reason).toBe('progres: 1 dossier per minute reached; progres: 1 session in use (maxSessions 1)');
    expect(both.retryInMs).toBe(60_000); // every limit must pass: the longest wait
    expect(await gate.usage('ameli-pro')).toEqual({ dossiersLastMinute: 0, sessionHolders: [] });

    if (progresOnly.granted) await progresOnly.release();
    c.advance(60_000);
    const forfait = await gate.acquire(['ameli-pro', 'progres', 'ameli-pro'], 'job-2');
    expect(forfait.granted).toBe(true);
    expect(await gate.usage('ameli-pro')).toEqual({ dossiersLastMinute: 1, sessionHolders: ['job-2'] });
    expect(await gate.usage('progres')).toEqual({ dossiersLastMinute: 1, sessionHolders: ['job-2'] });
    if (forfait.granted) await forfait.release();
    expect(await gate.usage('ameli-pro')).toEqual({ dossiersLastMinute: 1, sessionHolders: [] });
    expect(await gate.usage('progres')).toEqual({ dossiersLastMinute: 1, sessionHolders: [] });
  });

  it('does not take the other application when one refuses on sessions only', async () => {
    const gate = new CapacityGate(redis.client, {
      prefix: redis.prefix(),
      capacities: { 'ameli-pro': { ratePerMinute: 10 }, progres: { maxSessions: 1 } },
    });
    const held = await gate.acquire(['progres'], 'job-1');
    const d = refused(await gate.acquire(['ameli-pro', 'progres'], 'job-2'));
    expect(d.reason).toBe('progres: 1 session in use (maxSessions 1)');
    expect(d.retryInMs).toBe(1000);
    expect((await gate.usage('ameli-pro')).dossiersLastMinute).toBe(0);
    if (held.granted) await held.release();
  });

  it('keeps dossiers back while an application is closed, retrying when it opens, without consuming its limits', async () => {
    const c = clock('2026-03-14T09:00:00Z'); // Saturday 14 March 2026, 10:00 in Paris
    const gate = new CapacityGate(redis.client, {
      prefix: redis.prefix(),
      capacities: { progres: { ratePerMinute: 1, openingHours: { from: '07:00', to: '19:00' } } },
      now: c.now,
    });
    const d = refused(await gate.acquire(['progres'], 'job-1'));
    expect(d.reason).toBe('progres is closed until 16/03/2026 07:00 (Europe/Paris)');
    expect(d.retryInMs).toBe(Date.parse('2026-03-16T06:00:00Z') - Date.parse('2026-03-14T09:00:00Z'));
    expect((await gate.usage('progres')).dossiersLastMinute).toBe(0);
    c.advance(d.retryInMs);
    expect((await gate.acquire(['progres'], 'job-1')).granted).toBe(true);
  });

  it('waits until every application of the scenario is open at once', async () => {
    const c = clock('2026-03-16T06:30:00Z'); // Monday 07:30 in Paris
    const gate = new CapacityGate(redis.client, {
      prefix: redis.prefix(),
      capacities: {
        'ameli-pro': { openingHours: { from: '08:00', to: '20:00' } },
        progres: { openingHours: { from: '07:00', to: '19:00' } },
      },
      now: c.now,
    });
    expect((await gate.acquire(['progres'], 'job-1')).granted).toBe(true);
    const d = refused(await gate.acquire(['progres', 'ameli-pro'], 'job-2'));
    expect(d).toEqual({ granted: false, retryInMs: 30 * 60_000, reason: 'ameli-pro is closed until 16/03/2026 08:00 (Europe/Paris)' });
    c.advance(11 * 3_600_000 + 30 * 60_000); // 19:00: Progrès closes, ameli pro is still open
    expect(refused(await gate.acquire(['progres', 'ameli-pro'], 'job-2')).retryInMs).toBe(13 * 3_600_000); // Tuesday 08:00
  });

  it('says when the applications of a scenario are never open at the same time', async () => {
    const gate = new CapacityGate(redis.client, {
      prefix: redis.prefix(),
      capacities: { 'ameli-pro': { openingHours: { from: '07:00', to: '12:00' } }, progres: { openingHours: { from: '13:00', to: '19:00' } } },
      now: clock().now,
    });
    await expect(gate.acquire(['ameli-pro', 'progres'], 'job-1')).rejects.toThrow(/ameli-pro, progres never overlap/);
    await expect(gate.acquire(['ameli-pro', 'progres'], 'job-1')).rejects.toBeInstanceOf(ConfigError);
  });

  it('keeps each deployment’s limits under its own prefix', async () => {
    const prefix = redis.prefix();
    const capacities = { progres: { ratePerMinute: 1, maxSessions: 1 } };
    const lille = new CapacityGate(redis.client, { prefix, capacities });
    const d = await lille.acquire(['progres'], 'job-1');
    expect(d.granted).toBe(true);
    expect((await redis.client.keys(`${prefix}:*`)).sort()).toEqual([`${prefix}:capacity:progres:rate`, `${prefix}:capacity:progres:sessions`]);
    const elsewhere = new CapacityGate(redis.client, { prefix: redis.prefix(), capacities });
    const e = await elsewhere.acquire(['progres'], 'job-1');
    expect(e.granted).toBe(true);
    expect((await lille.acquire(['progres'], 'job-2')).granted).toBe(false);
    if (d.granted) await d.release();
    if (e.granted) await e.release();
  });

  it('loads its script again on a Redis that forgot it', async () => {
    const gate = new CapacityGate(redis.client, { prefix: redis.prefix(), capacities: { bdo: { ratePerMinute: 2 } } });
    expect((await gate.acquire(['bdo'], 'job-1')).granted).toBe(true);
    await redis.client.script('FLUSH');
    expect((await gate.acquire(['bdo'], 'job-2')).granted).toBe(true);
    expect((await gate.acquire(['bdo'], 'job-3')).granted).toBe(false);
  });

  it('refuses an invalid capacity, naming the application and the setting', () => {
    expect(() => new CapacityGate(redis.client, { prefix: 'p', capacities: { progres: { ratePerMinute: 0 } } })).toThrow(
      /capacity of progres: ratePerMinute: ratePerMinute must be at least 1/,
    );
    expect(
      () => new CapacityGate(redis.client, { prefix: 'p', capacities: { ij: { openingHours: { from: '19:00', to: '07:00' } } as never } }),
    ).toThrow(/capacity of ij: openingHours.to: "to" \(07:00\) must be later than "from" \(19:00\)/);
    expect(() => new CapacityGate(redis.client, { prefix: 'p', capacities: {}, sessionLeaseMs: 10 })).toThrow(ConfigError);
  });
});
