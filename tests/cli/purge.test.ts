import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { eventually } from '../support/eventually.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';

const DAY = 24 * 3600 * 1000;

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.close();
});

/** A file of `size` bytes last modified `days` days ago. */
async function aged(path: string, days: number, size = 1000): Promise<string> {
  await writeFile(path, 'x'.repeat(size));
  const when = new Date(Date.now() - days * DAY);
  await utimes(path, when, when);
  return path;
}

describe('proweb purge', () => {
  it('removes evidence, traces, rejection files and ended jobs older than their retention, says what, and --dry-run removes nothing', async () => {
    const root = await mkdtemp(join(tmpdir(), 'proweb-test-purge-cli-'));
    const dataDir = join(root, 'data');
    const rejections = join(root, 'rejets');
    const drops = join(root, 'depots');
    for (const d of [join(dataDir, 'evidence', 'dipa-payment'), join(dataDir, 'traces'), rejections, drops]) await mkdir(d, { recursive: true });
    const due = [
      await aged(join(dataDir, 'evidence', 'dipa-payment', 'ancien.png'), 31, 2048),
      await aged(join(dataDir, 'evidence', 'dipa-payment', 'ancien.html'), 90, 1024),
      await aged(join(dataDir, 'traces', 'ancienne.zip'), 8),
      await aged(join(rejections, 'mars.rejets.csv'), 31),
      await aged(join(drops, 'fevrier.rejets.csv'), 45),
    ];
    const kept = [
      await aged(join(dataDir, 'evidence', 'dipa-payment', 'recent.png'), 29),
      await aged(join(dataDir, 'traces', 'recente.zip'), 6),
      await aged(join(rejections, 'avril.rejets.csv'), 3),
      // An export in a drop folder is the sender's: purge removes only rejection files there.
      await aged(join(drops, 'fevrier.csv'), 45),
    ];
    const config = join(root, 'proweb.config.json');
    await writeFile(config, JSON.stringify({ folders: { drops: [drops], rejections }, retention: { endedJobsDays: 0 } }));

    // Ended jobs (two completed, one failed for good) and one still to run.
    const prefix = redis.prefix();
    const connection = redis.server.connection;
    const queue = new Queue('dipa-payment', { connection, prefix });
    try {
      await queue.addBulk([1, 2, 3].map((n) => ({ name: 'dipa-payment', data: { n }, opts: { jobId: `j${n}`, attempts: 1 } })));
      const worker = new Worker('dipa-payment', async (job) => {
        if (job.data.n === 3) throw new UnrecoverableError('refused');
        return 'done';
      }, { connection, prefix });
      await eventually(async () => (await queue.getJobCountByTypes('completed', 'failed')) === 3, 'three jobs ended');
      await worker.close();
      await queue.add('dipa-payment', { n: 4 }, { jobId: 'j4', delay: 3_600_000 });

      const env = { PROWEB_DATA_DIR: dataDir, PROWEB_PREFIX: prefix };
      const args = ['purge', '--config', config, '--redis', redis.server.url];
      const dry = await runCli([...args, '--dry-run'], env);
      expect(dry.stderr).toBe('');
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain('Dry run: nothing is removed.');
      expect(dry.stdout).toContain(`Evidence older than 30 days: 2 files would be removed (3.0 kB), in ${join(dataDir, 'evidence')}`);
      expect(dry.stdout).toContain('Traces older than 7 days: 1 file would be removed');
      expect(dry.stdout).toContain(`Rejection files older than 30 days: 2 files would be removed (2.0 kB), in ${rejections}, ${drops}`);
      expect(dry.stdout).toContain('Ended jobs older than 0 days: 2 completed and 1 failed would be removed (dipa-payment 2 + 1)');
      expect([...due, ...kept].every((f) => existsSync(f))).toBe(true);
      expect(await queue.getJobCountByTypes('completed', 'failed')).toBe(3);

      const run = await runCli(args, env);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Evidence older than 30 days: 2 files removed (3.0 kB)');
      expect(run.stdout).toContain('Traces older than 7 days: 1 file removed');
      expect(run.stdout).toContain('Rejection files older than 30 days: 2 files removed');
      expect(run.stdout).toContain(`Ended jobs older than 0 days: 2 completed and 1 failed removed (dipa-payment 2 + 1), in Redis ${redis.server.url}, prefix "${prefix}"`);
      expect(due.filter((f) => existsSync(f))).toEqual([]);
      expect(kept.filter((f) => !existsSync(f))).toEqual([]);
      expect(await queue.getJobCountByTypes('completed', 'failed')).toBe(0);
      expect(await queue.getJobState('j4')).toBe('delayed');

      // A second run finds nothing more.
      const again = await runCli(args, env);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('Evidence older than 30 days: 0 files removed, in');
      expect(again.stdout).toContain('Ended jobs older than 0 days: 0 completed and 0 failed removed, in Redis');
    } finally {
      await queue.close();
    }
  });

  it('says that rejection files are not looked for when no folder is configured', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'proweb-test-purge-cli-'));
    const run = await runCli(['purge', '--redis', redis.server.url], { PROWEB_DATA_DIR: dataDir, PROWEB_PREFIX: redis.prefix() });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Rejection files: none looked for, since the configuration names no folder \(folders\.rejections, folders\.drops\)/);
    expect(run.stdout).toContain('Ended jobs older than 7 days: 0 completed and 0 failed removed');
  });
});
