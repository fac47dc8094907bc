import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../gains/index.ts';
import { Heartbeat, listMachines } from '../../queue/fleet/machines.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.close();
});

const done = (machine: string, finishedAt: Date, dossiers = 1) => ({
  campaignId: 'c1', scenarioId: 'dipa-payment', scenarioVersion: '1.1.0', caisse: 'CPAM Lille-Douai', machine, dossierId: `${machine}-${finishedAt.getTime()}-${dossiers}`,
  status: 'done' as const, reference: 'PRG-1', manualMinutesSaved: 6 * dossiers, robotMs: 400, attempts: 1, finishedAt: finishedAt.toISOString(), dossiers,
});

describe('robot machines and their heartbeats', () => {
  it('lists running machines online with what they run and what they did in the last hour', async () => {
    const prefix = redis.prefix();
    const ledger = new Ledger(redis.client, { prefix });
    const a = new Heartbeat(redis.client, { prefix, name: 'robot-591-01', scenarios: ['dipa-payment', 'forfait-ps'], concurrency: 4, heartbeatMs: 1_000, running: () => 3 });
    await a.start();
    const now = new Date();
    await ledger.record(done('robot-591-01', new Date(now.getTime() - 10 * 60_000)));
    await ledger.record(done('robot-591-01', new Date(now.getTime() - 5 * 60_000), 4));
    await ledger.record(done('robot-591-01', new Date(now.getTime() - 2 * 3600_000)));

    const [machine] = await listMachines(redis.client, ledger, { prefix, now });
    expect(machine).toMatchObject({ name: 'robot-591-01', online: true, state: 'running', scenarios: ['dipa-payment', 'forfait-ps'], concurrency: 4, running: 3, doneLastHour: 5, pid: process.pid });
    await a.close();
  });

  it('shows a machine that stopped as stopped, and one that went silent for three beats as offline', async () => {
    const prefix = redis.prefix();
    const ledger = new Ledger(redis.client, { prefix });
    const stopped = new Heartbeat(redis.client, { prefix, name: 'robot-a', scenarios: ['prn-entry'], concurrency: 2, heartbeatMs: 1_000 });
    const silent = new Heartbeat(redis.client, { prefix, name: 'robot-b', scenarios: ['prn-entry'], concurrency: 2, heartbeatMs: 1_000 });
    await stopped.start();
    await silent.start();
    await stopped.close();

    const soon = await listMachines(redis.client, ledger, { prefix, now: new Date(Date.now() + 1_500) });
    expect(soon.map((m) => [m.name, m.online, m.state]).sort()).toEqual([['robot-a', false, 'stopped'], ['robot-b', true, 'running']]);
    // Three heartbeats later without a beat: the machine died without saying so.
    const later = await listMachines(redis.client, ledger, { prefix, now: new Date(Date.now() + 3_500) });
    expect(later.find((m) => m.name === 'robot-b')).toMatchObject({ online: false, state: 'running' });
    await silent.close();
  });
});
