import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_USER, startBackOffice, type BackOffice } from '../../fixtures/backoffice/index.ts';
import { duplicatesIn, entryCount } from '../support/backoffice-entries.ts';
import { Ledger } from '../../gains/index.ts';
import type { CampaignSubmission } from '../../queue/campaigns/campaign.ts';
import { CampaignRegistry } from '../../queue/campaigns/campaign-registry.ts';
import { submitRegisteredCampaign } from '../../queue/campaigns/enqueue.ts';
import { queueNameFor } from '../../queue/queue-options.ts';
import { createRedis } from '../../queue/redis/redis-connection.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { runCli, startCli, type CliProcess } from '../support/cli.ts';
import { dipaFile, requestRows } from '../support/dipa.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';
import { entriesOf } from '../support/ledger.ts';
import { untilReached } from '../support/eventually.ts';
import { testSecret } from '../support/secret.ts';

/**
 * The fleet: separate `proweb worker` processes (each its own Chromium) on one real
 * Redis, against the real mock back office over HTTP. Short locks so that a killed
 * machine's dossiers are taken over in seconds.
 */
let redis: TestRedis;
let dir: string;
let configFile: string;
const started: CliProcess[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(join(tmpdir(), 'proweb-fleet-'));
});
afterEach(async () => {
  for (const p of started.splice(0)) {
    p.kill('SIGKILL');
    await p.exited;
  }
});
afterAll(async () => {
  await redis?.close();
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(backOffice: BackOffice): Promise<string> {
  configFile = join(dir, `proweb-${Date.now()}.config.json`);
  await writeFile(configFile, JSON.stringify({
    applications: { progres: { baseUrl: backOffice.url, username: DEFAULT_USER.username, passwordEnv: 'PROGRES_PASSWORD' } },
    worker: { lockDurationMs: 4_000, stalledIntervalMs: 2_000, heartbeatMs: 1_000 },
  }));
  return configFile;
}

const envFor = (prefix: string, url: string) => ({
  REDIS_URL: url, PROWEB_PREFIX: prefix, PROWEB_DATA_DIR: join(dir, 'data'), PROGRES_PASSWORD: DEFAULT_USER.password, PROWEB_LOG_FILE: join(dir, `${prefix}.log`),
});

async function startWorker(name: string, prefix: string, extra: string[] = [], url = redis.server.url): Promise<CliProcess> {
  const worker = startCli(['worker', '--name', name, '--scenarios', 'dipa-payment', '--concurrency', '2', '--config', configFile, ...extra], envFor(prefix, url));
  started.push(worker);
  await worker.waitFor(/ready/);
  return worker;
}

async function submit(prefix: string, file: string, connection: object = redis.server.connection): Promise<CampaignSubmission> {
  const client = createRedis(connection);
  const queue = new Queue(queueNameFor(dipaPayment.id), { connection, prefix });
  try {
    // Registered, as `proweb enqueue` does: a worker refuses a job of a campaign its deployment does not know.
    return await submitRegisteredCampaign({
      queue, ledger: new Ledger(client, { prefix }), registry: new CampaignRegistry(client, { prefix }), scenario: dipaPayment, file, caisse: 'CPAM Lille-Douai', secret: testSecret,
    });
  } finally {
    await queue.close();
    await client.quit();
  }
}

/** Until the ledger holds `count` ended dossiers of the campaign, for as long as it progresses. */
const ended = (ledger: Ledger, campaignId: string, count: number) => untilReached(async () => {
  const c = await ledger.campaignCounts(campaignId);
  return c.done + c.rejected + c.failed;
}, count, `dossiers of campaign ${campaignId} ended`);


/**
 * Each dossier of the file paid once in the back office and recorded once in the ledger. A machine
 * killed while it held commit claims may leave up to `unknown` dossiers whose outcome only a person
 * can tell (its click may or may not have left): those are failed, never paid by another machine.
 */
async function expectExactlyOnce(backOffice: BackOffice, ledger: Ledger, rows: number, unknown = 0) {
  const payments = backOffice.state.payments;
  expect(duplicatesIn(backOffice.state.entriesByKey())).toEqual([]);
  const entries = await entriesOf(ledger);
  expect(entries).toHaveLength(rows);
  expect(new Set(entries.map((e) => e.dossierId)).size).toBe(rows);
  const done = entries.filter((e) => e.status === 'done');
  const failed = entries.filter((e) => e.status !== 'done');
  expect(failed.length).toBeLessThanOrEqual(unknown);
  for (const f of failed) expect(f).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^outcome unknown: check progres for ps \d{9}, period P[12]/) });
  expect(entryCount(backOffice.state.entriesByKey())).toBe(done.length);
  expect(new Set(done.map((e) => e.reference))).toEqual(new Set(payments.map((p) => p.reference)));
}

describe('proweb worker: a fleet of robot machines on one Redis', () => {
  it('runs a 300-row campaign on 3 machines, one killed mid-run: each payment entered once, each dossier recorded once', async () => {
    const backOffice = await startBackOffice({ port: 0 });
    try {
      await writeConfig(backOffice);
      const prefix = redis.prefix();
      const ledger = new Ledger(redis.client, { prefix });
      const file = await dipaFile('fleet-300.csv', requestRows(backOffice, (p) => p.conventioned, 300));
      const workers = await Promise.all(['robot-a', 'robot-b', 'robot-c'].map((n) => startWorker(n, prefix)));

      const machines = await runCli(['machines', '--json'], envFor(prefix, redis.server.url));
      expect(machines.code).toBe(0);
      const listed = JSON.parse(machines.stdout) as { name: string; online: boolean; scenarios: string[]; concurrency: number }[];
      expect(listed.map((m) => m.name).sort()).toEqual(['robot-a', 'robot-b', 'robot-c']);
      expect(listed.every((m) => m.online && m.scenarios.join() === 'dipa-payment' && m.concurrency === 2)).toBe(true);

      const submission = await submit(prefix, file);
      expect(submission.jobIds).toHaveLength(300);
      // Killed while it holds dossiers: some of them may be half-entered in the back office.
      await ended(ledger, submission.campaignId, 60);
      workers[1]!.kill('SIGKILL');
      expect((await workers[1]!.exited).signal).toBe('SIGKILL');
      // Its browser sees the pipe to the dead process close and goes too: nothing piles up on the machine.
      await expect.poll(() => workers[1]!.leftovers(), { timeout: 30_000, interval: 250 }).toEqual([]);

      await ended(ledger, submission.campaignId, 300);
      // Its two browser contexts may each have been between a commit claim and its answer.
      await expectExactlyOnce(backOffice, ledger, 300, 2);
      const done = (await entriesOf(ledger)).filter((e) => e.status === 'done').length;
      const byMachine = new Map<string, number>();
      for (const e of await entriesOf(ledger)) byMachine.set(e.machine, (byMachine.get(e.machine) ?? 0) + 1);
      expect(byMachine.get('robot-a')).toBeGreaterThan(0);
      expect(byMachine.get('robot-c')).toBeGreaterThan(0);

      // The killed machine stops beating and is no longer listed online; the others did work in the last hour.
      const after = await vi.waitFor(async () => {
        const run = await runCli(['machines', '--json', '--all'], envFor(prefix, redis.server.url));
        const list = JSON.parse(run.stdout) as { name: string; online: boolean; doneLastHour: number }[];
        expect(list.find((m) => m.name === 'robot-b')?.online).toBe(false);
        return list;
      }, { timeout: 30_000, interval: 250 });
      expect(after.filter((m) => m.online).map((m) => m.name).sort()).toEqual(['robot-a', 'robot-c']);
      expect(after.reduce((sum, m) => sum + m.doneLastHour, 0)).toBe(done);

      // The same file again: what is done is not queued again, and nothing is paid twice.
      const again = await submit(prefix, file);
      expect(again).toMatchObject({ rows: 300, alreadyDone: done });
      expect(entryCount(backOffice.state.entriesByKey())).toBe(done);
    } finally {
      await backOffice.close();
    }
  }, 600_000);

  it('on SIGTERM a busy worker exits within its grace period, and another machine finishes its dossiers without paying twice', async () => {
    const backOffice = await startBackOffice({ port: 0 });
    try {
      await writeConfig(backOffice);
      const prefix = redis.prefix();
      const ledger = new Ledger(redis.client, { prefix });
      const file = await dipaFile('sigterm.csv', requestRows(backOffice, (p) => p.conventioned, 8));
      // Progrès commits each payment but answers 40 s late: a dossier is caught mid-way.
      backOffice.faults.inject({ on: 'payment-submit', kind: 'delay', delayMs: 40_000, times: 2 });
      const busy = await startWorker('robot-busy', prefix, ['--grace', '2']);
      const submission = await submit(prefix, file);
      await expect.poll(() => backOffice.state.payments.length, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(1);

      const signalled = Date.now();
      busy.kill('SIGTERM');
      const exit = await busy.exited;
      const tookMs = Date.now() - signalled;
      expect(exit.code).toBe(0);
      // 2 s of grace, then the browser closes and the dossiers go back: far less than the 40 s answer.
      expect(tookMs).toBeLessThan(25_000);
      expect(busy.stdout()).toMatch(/Worker stopped/);
      expect(busy.leftovers()).toEqual([]);

      backOffice.faults.clear();
      await startWorker('robot-next', prefix);
      await ended(ledger, submission.campaignId, 8);
      await expectExactlyOnce(backOffice, ledger, 8);
      const guarded = (await entriesOf(ledger)).filter((e) => e.alreadyEntered);
      // The dossiers interrupted after their commit were found by the guard, not entered again.
      expect(guarded.length).toBeGreaterThanOrEqual(1);
    } finally {
      await backOffice.close();
    }
  }, 300_000);

  it('refuses to start without a shared Redis, or on a Redis that may evict keys or forget its last writes', async () => {
    const backOffice = await startBackOffice({ port: 0 });
    try {
      await writeConfig(backOffice);
      const alone = await runCli(['worker', '--config', configFile], { PROWEB_DATA_DIR: join(dir, 'data'), REDIS_URL: '', PROGRES_PASSWORD: 'x' });
      expect(alone.code).toBe(1);
      expect(alone.stderr).toMatch(/^error: a worker needs the fleet's shared Redis: give --redis/m);

      // A machine of a fleet never makes up a secret of its own: it could open none of the others' jobs.
      const secretless = await runCli(['worker', '--scenarios', 'dipa-payment', '--config', configFile], { ...envFor(redis.prefix(), redis.server.url), PROWEB_SECRET: '' });
      expect(secretless.code).toBe(1);
      expect(secretless.stderr).toMatch(/^error: this machine shares a Redis with a fleet but has no deployment secret/m);
      expect(secretless.stderr).not.toMatch(/ready/);
      expect(secretless.leftovers).toEqual([]);

      await redis.client.config('SET', 'maxmemory-policy', 'allkeys-lru');
      try {
        const evicting = await runCli(['worker', '--scenarios', 'dipa-payment', '--config', configFile, '--redis', redis.server.url], { PROWEB_DATA_DIR: join(dir, 'data'), PROGRES_PASSWORD: 'x' });
        expect(evicting.code).toBe(1);
        expect(evicting.stderr).toMatch(/^error: Redis maxmemory-policy is "allkeys-lru".*entered twice \(Set "maxmemory-policy noeviction"/m);
        expect(evicting.leftovers).toEqual([]);
      } finally {
        await redis.client.config('SET', 'maxmemory-policy', 'noeviction');
      }

      // Without its append-only file, a crash of Redis would forget the commit claims.
      await redis.client.config('SET', 'appendonly', 'no');
      try {
        const forgetful = await runCli(['worker', '--scenarios', 'dipa-payment', '--config', configFile, '--redis', redis.server.url], { PROWEB_DATA_DIR: join(dir, 'data'), PROGRES_PASSWORD: 'x' });
        expect(forgetful.code).toBe(1);
        expect(forgetful.stderr).toMatch(/^error: Redis runs without its append-only file \(appendonly no\).*entered twice \(Set "appendonly yes" and "appendfsync everysec"/m);
        expect(forgetful.leftovers).toEqual([]);
      } finally {
        await redis.client.config('SET', 'appendonly', 'yes');
      }
    } finally {
      await backOffice.close();
    }
  });
});
