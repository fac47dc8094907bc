import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER, startBackOffice } from '../../fixtures/backoffice/index.ts';
import { Ledger } from '../../gains/index.ts';
import { queueNameFor } from '../../queue/queue-options.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { runCli, startCli, type CliProcess } from '../support/cli.ts';
import { dipaFile, requestRows } from '../support/dipa.ts';
import { eventually, untilReached } from '../support/eventually.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';

/**
 * A wrong password on a fleet: two `proweb worker` processes (each its own Chromium) on one
 * real Redis, against the mock back office over HTTP, driven with the operators' commands.
 */
let redis: TestRedis;
let dir: string;
const started: CliProcess[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(join(tmpdir(), 'proweb-pause-fleet-'));
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

describe('a refused login on a fleet', () => {
  it('pauses progres after at most one failed login per machine, fails no dossier, says what to do; fixed and resumed, every dossier is entered once', async () => {
    const backOffice = await startBackOffice({ port: 0 });
    const prefix = redis.prefix();
    const queue = new Queue(queueNameFor(dipaPayment.id), { connection: redis.server.connection, prefix });
    try {
      const configFile = join(dir, 'proweb.config.json');
      await writeFile(configFile, JSON.stringify({
        applications: { progres: { baseUrl: backOffice.url, username: DEFAULT_USER.username, passwordEnv: 'PROGRES_PASSWORD' } },
        worker: { lockDurationMs: 4_000, stalledIntervalMs: 2_000, heartbeatMs: 1_000 },
      }));
      const env = (password: string) => ({
        REDIS_URL: redis.server.url, PROWEB_PREFIX: prefix, PROWEB_DATA_DIR: join(dir, 'data'), PROGRES_PASSWORD: password, PROWEB_LOG_FILE: join(dir, `${prefix}.log`),
      });
      const startWorkers = async (password: string) => {
        const workers = ['robot-a', 'robot-b'].map((name) =>
          startCli(['worker', '--name', name, '--scenarios', 'dipa-payment', '--concurrency', '2', '--no-drops', '--config', configFile], env(password)));
        started.push(...workers);
        await Promise.all(workers.map((w) => w.waitFor(/ready/)));
        return workers;
      };
      const cli = async (...args: string[]) => {
        const run = await runCli([...args, '--config', configFile], env('unused'));
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        return run.stdout;
      };
      const failedLogins = () => backOffice.state.loginAttempts.filter((a) => a.application === 'progres' && !a.ok).length;
      const file = await dipaFile('pause-fleet.csv', requestRows(backOffice, (p) => p.conventioned, 5));

      const wrong = await startWorkers('a-wrong-password');
      const campaignId = (await cli('enqueue', 'dipa-payment', '--input', file, '--caisse', 'CPAM Lille-Douai')).trim().split('\n').at(-1)!;

      // Every dossier ends up parked; a worker's own refusal is printed once on that machine.
      await Promise.any(wrong.map((w) => w.waitFor(/application progres paused for the whole fleet/)));
      await eventually(async () => (await queue.getJobCountByTypes('delayed')) === 5, 'the 5 dossiers parked', 60_000);
      expect(failedLogins()).toBeGreaterThanOrEqual(1);
      expect(failedLogins()).toBeLessThanOrEqual(2);
      expect(await queue.getJobCountByTypes('failed')).toBe(0);
      const ledger = new Ledger(redis.client, { prefix });
      expect(await ledger.campaignCounts(campaignId)).toMatchObject({ done: 0, rejected: 0, failed: 0 });
      for (const w of wrong) expect(w.stdout()).not.toMatch(/failed:|attempt \d failed/);

      // The operators are told which application, why, and what to do.
      const fix = `fix the credentials of ${DEFAULT_USER.username} in the configuration, then run \`proweb application resume progres\``;
      const machines = await cli('machines');
      expect(machines).toMatch(/application progres paused for the whole fleet: it refused the login of account robot\.dipa from robot-[ab] at .*\("Identifiant ou mot de passe incorrect\."\)/);
      expect(machines).toContain(fix);
      const status = await cli('campaign', 'status', campaignId);
      expect(status).toMatch(/Paused application:\n {2}application progres paused for the whole fleet/);
      expect(status).toMatch(/delayed +5 \(not before 0, paused 5, retrying 0\)/);
      expect(status).toMatch(/estimated end +unknown \(paused\)/);
      expect(status).toContain(fix);
      expect(await cli('application', 'list')).toMatch(/^progres +PAUSED +since .* by robot-[ab], account robot\.dipa: "Identifiant ou mot de passe incorrect\."$/m);

      // The credentials are fixed and the machines restarted: still paused until an operator says so.
      for (const w of started.splice(0)) {
        w.kill('SIGTERM');
        expect((await w.exited).code).toBe(0);
      }
      await startWorkers(DEFAULT_USER.password);
      expect(await cli('application', 'resume', 'progres')).toMatch(/^Application progres resumed \(paused since .* by robot-[ab]: "Identifiant ou mot de passe incorrect\."\): 5 parked dossiers back in the queue\./);

      await untilReached(async () => (await ledger.campaignCounts(campaignId)).done, 5, 'dossiers done after the resume');
      expect(await ledger.campaignCounts(campaignId)).toMatchObject({ done: 5, rejected: 0, failed: 0 });
      const paid = new Map<string, number>();
      for (const p of backOffice.state.payments) paid.set(`${p.ps}|${p.period}`, (paid.get(`${p.ps}|${p.period}`) ?? 0) + 1);
      expect(paid.size).toBe(5);
      expect([...paid.values()].every((n) => n === 1)).toBe(true);
      expect(failedLogins()).toBeLessThanOrEqual(2);
      expect(await cli('application', 'list')).toMatch(/^progres +active/m);
      console.info(`exactly-once | refused login, 2 workers | in 5 | done 5 | rejected 0 | failed 0 | duplicates 0 | failed logins ${failedLogins()}`);
    } finally {
      await queue.close();
      await backOffice.close();
    }
  }, 300_000);
});
