import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DelayedError, Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../gains/index.ts';
import type { JobPayload } from '../../queue/campaigns/job-payload.ts';
import { CampaignRegistry } from '../../queue/campaigns/campaign-registry.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { runCli } from '../support/cli.ts';
import { DIPA_50, dipaSample } from '../support/dipa-sample.ts';
import { eventually } from '../support/eventually.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.close();
});

/** The fleet's Redis, as the commands see it: REDIS_URL and a prefix of their own. */
const fleet = async () => {
  const prefix = redis.prefix();
  const env = { REDIS_URL: redis.server.url, PROWEB_PREFIX: prefix, PROWEB_DATA_DIR: await mkdtemp(join(tmpdir(), 'proweb-cli-campaign-')) };
  return { prefix, env, proweb: (...args: string[]) => runCli(args, { env }) };
};

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);
const DIPA_LINES = async () => (await readFile(DIPA_50, 'utf8')).replace(/^\ufeff/, '').split(/\r?\n/);

describe('proweb enqueue and proweb campaign (real Redis, a BullMQ worker in the test)', () => {
  it('queues a campaign, follows it, pauses, resumes and cancels it, and writes its work list', async () => {
    const { prefix, env, proweb } = await fleet();
    const input = await dipaSample('campagne-lille.csv', 5, ['DIPA-2020-999999;591000005;DURAND Paul;XYZ;16/03/2020;30/06/2020;1000,00;FR7630006000011234567890189']);

    const enqueued = await proweb('enqueue', 'dipa-payment', '--input', input, '--caisse', 'CPAM Lille-Douai', '--priority', '3');
    expect(enqueued.stderr).toBe('');
    expect(enqueued.code).toBe(0);
    const id = lastLine(enqueued.stdout)!;
    expect(id).toMatch(/^\d{4}-\d{2}-\d{2}-[0-9a-f]{8}$/);
    expect(enqueued.stdout).toMatch(/rows read\s+6\n/);
    expect(enqueued.stdout).toMatch(/invalid \(not queued\) 1\n/);
    expect(enqueued.stdout).toMatch(/queued\s+5\n/);
    expect(enqueued.stdout).toContain('campagne-lille.csv row 7, categorie: "XYZ"');
    expect(enqueued.leftovers).toEqual([]);

    const fresh = await proweb('campaign', 'status', id);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain(`Campaign ${id}: dipa-payment v${dipaPayment.version} × campagne-lille.csv × CPAM Lille-Douai`);
    expect(fresh.stdout).toMatch(/state\s+active\n/);
    expect(fresh.stdout).toMatch(/waiting\s+5\n/);
    expect(fresh.stdout).toMatch(/priority\s+3\n/);
    expect(fresh.stdout).toMatch(/estimated end\s+unknown \(no dossier has ended yet\)/);

    const paused = await proweb('campaign', 'pause', id);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toContain(`Campaign ${id} paused`);
    expect(JSON.parse((await proweb('campaign', 'status', id, '--json')).stdout)).toMatchObject({ state: 'paused', counts: { waiting: 5 } });
    const resumed = await proweb('campaign', 'resume', id);
    expect(resumed.stdout).toContain(`Campaign ${id} resumed`);

    // A robot takes dossiers: row 2 refused by the back office, row 3 failed for good with a screenshot, row 4 running.
    const ledger = new Ledger(redis.client, { prefix });
    const registry = new CampaignRegistry(redis.client, { prefix });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const worker = new Worker<JobPayload>(dipaPayment.id, async (job, token) => {
      const data = job.data;
      if ((await registry.stateOf(data.campaignId)) === 'paused') {
        await job.moveToDelayed(Date.now() + 60_000, token);
        throw new DelayedError();
      }
      await registry.markStarted(data.campaignId, new Date());
      const entry = {
        campaignId: data.campaignId, scenarioId: data.scenarioId, scenarioVersion: data.scenarioVersion, caisse: data.caisse, machine: 'robot-591-01',
        dossierId: data.dossierId, rowNumber: data.rowNumber, manualMinutesSaved: 0, robotMs: 800, attempts: 1, finishedAt: new Date().toISOString(),
      };
      if (data.rowNumber === 2) {
        await ledger.record({ ...entry, status: 'rejected', reason: "Le professionnel 591097126 n'est pas conventionné (assuré 1 85 07 59 012 345 67)" });
        return { status: 'rejected' };
      }
      if (data.rowNumber === 3) {
        await job.log('evidence: /srv/proweb/evidence/dipa-row-3.png');
        await job.log('evidence: /srv/proweb/evidence/dipa-row-3.html');
        await ledger.record({ ...entry, status: 'failed', reason: 'Progrès ne répond pas (HTTP 503)' });
        throw new UnrecoverableError('Progrès ne répond pas (HTTP 503)');
      }
      await held;
      await ledger.record({ ...entry, status: 'done', reference: 'PRG-2020-000001', manualMinutesSaved: 6 });
      return { status: 'done' };
    }, { connection: redis.server.connection, prefix, concurrency: 1 });
    const queue = new Queue<JobPayload>(dipaPayment.id, { connection: redis.server.connection, prefix });
    try {
      await eventually(async () => (await queue.getActiveCount()) === 1 && (await ledger.campaignCounts(id)).failed === 1, 'rows 2 and 3 ended, row 4 running');
      const running = JSON.parse((await proweb('campaign', 'status', id, '--json')).stdout);
      expect(running).toMatchObject({ state: 'active', remaining: 3, counts: { waiting: 2, active: 1, done: 0, rejected: 1, failed: 1, cancelled: 0 } });
      expect(running.estimatedEnd).toEqual(expect.any(String));

      const cancelled = await proweb('campaign', 'cancel', id);
      expect(cancelled.code).toBe(0);
      expect(cancelled.stdout).toContain(`Campaign ${id} cancelled: 2 queued dossiers removed, 1 running now will finish`);
      release();
      await eventually(async () => (await ledger.campaignCounts(id)).done === 1, 'row 4 done');
      const status = await proweb('campaign', 'status', id);
      expect(status.stdout).toMatch(/state\s+cancelled\n/);
      expect(status.stdout).toMatch(/done\s+1\n\s+rejected\s+1\n\s+failed\s+1\n\s+cancelled\s+2\n/);

      // Row 2's job was trimmed from the queue: its columns come from the input file again.
      const rowTwo = (await queue.getJobs(['completed'])).find((j) => j.data.rowNumber === 2)!;
      await queue.remove(rowTwo.id!);
    } finally {
      await worker.close();
      await queue.close();
    }

    const out = join(env.PROWEB_DATA_DIR, 'travail', 'a-traiter.csv');
    const rejects = await proweb('campaign', 'rejects', id, '--out', out);
    expect(rejects.stderr).toBe('');
    expect(rejects.code).toBe(0);
    expect(rejects.stdout).toContain(`2 dossiers for a human (1 rejected, 1 failed) written to ${out}`);
    const csv = await readFile(out, 'utf8');
    const [header, first, second] = await DIPA_LINES().then((l) => [l[0], l[1], l[2]]);
    expect(csv).toBe(
      `\ufeff${header};ligne;statut;motif;preuves\r\n` +
      `${first};2;rejeté;Le professionnel 591097126 n'est pas conventionné (assuré 1 85 ** ** *** *** 67);\r\n` +
      `${second};3;échec;Progrès ne répond pas (HTTP 503);/srv/proweb/evidence/dipa-row-3.png | /srv/proweb/evidence/dipa-row-3.html\r\n`,
    );

    // On a machine where the submitted path does not exist: numbers, statuses and reasons, empty columns, and why on stderr.
    const copy = join(env.PROWEB_DATA_DIR, 'ma-copie.csv');
    await copyFile(input, copy);
    await rm(input);
    const elsewhere = await proweb('campaign', 'rejects', id, '--out', out);
    expect(elsewhere.code).toBe(0);
    expect(elsewhere.stdout).toContain(`2 dossiers for a human (1 rejected, 1 failed) written to ${out}`);
    expect(elsewhere.stderr).toBe(`warning: the input file ${input} cannot be read on this machine (file not found): the work list has the row numbers, statuses and reasons, but the columns of the rows are empty. Give your copy of the file with --input <file>.\n`);
    expect(await readFile(out, 'utf8')).toBe(
      '\ufeffligne;statut;motif;preuves\r\n' +
      "2;rejeté;Le professionnel 591097126 n'est pas conventionné (assuré 1 85 ** ** *** *** 67);\r\n" +
      '3;échec;Progrès ne répond pas (HTTP 503);/srv/proweb/evidence/dipa-row-3.png | /srv/proweb/evidence/dipa-row-3.html\r\n',
    );
    const fromCopy = await proweb('campaign', 'rejects', id, '--out', out, '--input', copy);
    expect(fromCopy.stderr).toBe('');
    expect((await readFile(out, 'utf8')).split('\r\n')[1]).toBe(`${first};2;rejeté;Le professionnel 591097126 n'est pas conventionné (assuré 1 85 ** ** *** *** 67);`);

    const list = await proweb('campaign', 'list');
    expect(list.stdout).toMatch(new RegExp(`^${id}\\s+\\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2}\\s+cancelled\\s+dipa-payment\\s+5\\s+campagne-lille\\.csv\\s+CPAM Lille-Douai$`, 'm'));
  });

  it('delays a campaign until its not-before time, given in Paris time', async () => {
    const { proweb } = await fleet();
    const enqueued = await proweb('enqueue', 'dipa-payment', '--input', await dipaSample('nuit.csv', 2), '--caisse', 'CPAM Lille-Douai', '--not-before', '01/01/2099 20:00');
    expect(enqueued.code).toBe(0);
    expect(enqueued.stdout).toMatch(/not before\s+01\/01\/2099 20:00 \(Paris time\)/);
    const status = JSON.parse((await proweb('campaign', 'status', lastLine(enqueued.stdout)!, '--json')).stdout);
    expect(status).toMatchObject({ campaign: { notBefore: '2099-01-01T19:00:00.000Z' }, counts: { waiting: 0, delayed: { notBefore: 2 } } });
  });

  it('refuses bad input with exit code 2: a missing file, a bad priority or time, an unknown campaign', async () => {
    const { proweb } = await fleet();
    const missing = await proweb('enqueue', 'dipa-payment', '--input', '/nonexistent/dipa.csv', '--caisse', 'CPAM Lille-Douai');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: \/nonexistent\/dipa\.csv: file not found/);
    const priority = await proweb('enqueue', 'dipa-payment', '--input', DIPA_50, '--caisse', 'CPAM Lille-Douai', '--priority', '0');
    expect(priority.code).toBe(2);
    expect(priority.stderr).toContain('--priority must be a whole number from 1 (taken first) to 2097152');
    const time = await proweb('enqueue', 'dipa-payment', '--input', DIPA_50, '--caisse', 'CPAM Lille-Douai', '--not-before', '31/02/2027 08:00');
    expect(time.code).toBe(2);
    expect(time.stderr).toContain('"31/02/2027 08:00" is not a date of the calendar');
    const unknown = await proweb('campaign', 'status', '2020-01-01-deadbeef');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: no campaign "2020-01-01-deadbeef" in this Redis \(List the recent campaigns with `proweb campaign list`/);
  });
});
