import { existsSync } from 'node:fs';
import { lutimes, mkdir, mkdtemp, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutoffFor, purgeEndedJobs, purgeFiles } from '../../queue/campaigns/retention.ts';
import { eventually } from '../support/eventually.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';

const DAY = 24 * 3600 * 1000;
const now = new Date();
const daysAgo = (n: number) => new Date(now.getTime() - n * DAY);

async function fileAged(path: string, days: number, content = 'x'.repeat(100)): Promise<string> {
  await writeFile(path, content);
  await utimes(path, daysAgo(days), daysAgo(days));
  return path;
}

describe('purgeFiles', () => {
  it('removes the files older than the cutoff, in sub-folders too, and keeps the recent ones', async () => {
    const root = await mkdtemp(join(tmpdir(), 'proweb-test-purge-'));
    await mkdir(join(root, 'dipa-payment'));
    const old = [await fileAged(join(root, 'dipa-payment', 'd1.png'), 31), await fileAged(join(root, 'dipa-payment', 'd1.html'), 45)];
    const recent = [await fileAged(join(root, 'dipa-payment', 'd2.png'), 29), await fileAged(join(root, 'top.html'), 0)];

    const dry = await purgeFiles({ folders: [root], before: cutoffFor(30, now), dryRun: true });
    expect(dry).toEqual({ files: 2, bytes: 200, failures: [] });
    expect([...old, ...recent].every((f) => existsSync(f))).toBe(true);

    expect(await purgeFiles({ folders: [root, root], before: cutoffFor(30, now) })).toEqual({ files: 2, bytes: 200, failures: [] });
    expect(old.some((f) => existsSync(f))).toBe(false);
    expect(recent.every((f) => existsSync(f))).toBe(true);
    // The folders stay: a robot may be writing in them.
    expect(existsSync(join(root, 'dipa-payment'))).toBe(true);
  });

  it('removes an old link as a link, never the file it points to', async () => {
    const root = await mkdtemp(join(tmpdir(), 'proweb-test-purge-'));
    const elsewhere = await fileAged(join(await mkdtemp(join(tmpdir(), 'proweb-test-elsewhere-')), 'precious.csv'), 400);
    await symlink(elsewhere, join(root, 'link.png'));
    await lutimes(join(root, 'link.png'), daysAgo(400), daysAgo(400));
    expect(await purgeFiles({ folders: [root], before: cutoffFor(30, now) })).toMatchObject({ files: 1, failures: [] });
    expect(existsSync(join(root, 'link.png'))).toBe(false);
    expect(existsSync(elsewhere)).toBe(true);
  });

  it('takes only the files a filter accepts, and finds nothing in a folder that does not exist', async () => {
    const root = await mkdtemp(join(tmpdir(), 'proweb-test-purge-'));
    const rejection = await fileAged(join(root, 'dipa.rejets.csv'), 60);
    const input = await fileAged(join(root, 'dipa.csv'), 60);
    expect(await purgeFiles({ folders: [root, join(root, 'absent')], before: cutoffFor(30, now), accept: (n) => n.endsWith('.rejets.csv') })).toMatchObject({ files: 1 });
    expect(existsSync(rejection)).toBe(false);
    expect(existsSync(input)).toBe(true);
  });
});

describe('purgeEndedJobs (BullMQ Queue.clean)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });

  /** Runs `jobs` to their end on `queue`: ok ones complete, others fail for good. Returns when all ended. */
  async function runToEnd(name: string, prefix: string, jobs: { id: string; ok: boolean }[]) {
    const connection = redis.server.connection;
    const queue = new Queue(name, { connection, prefix });
    const endedBefore = await queue.getJobCountByTypes('completed', 'failed');
    await queue.addBulk(jobs.map((j) => ({ name, data: { ok: j.ok, row: { nir: '185057800608436' } }, opts: { jobId: j.id, attempts: 1 } })));
    const worker = new Worker(name, async (job) => {
      if (!job.data.ok) throw new UnrecoverableError('refused');
      return 'done';
    }, { connection, prefix });
    try {
      await eventually(async () => (await queue.getJobCountByTypes('completed', 'failed')) === endedBefore + jobs.length, `${jobs.length} jobs ended`);
    } finally {
      await worker.close();
      await queue.close();
    }
  }

  it('removes the completed and failed jobs that ended before the cutoff, and nothing else', async () => {
    const prefix = redis.prefix();
    const connection = redis.server.connection;
    await runToEnd('dipa-payment', prefix, [{ id: 'a1', ok: true }, { id: 'a2', ok: true }, { id: 'a3', ok: false }]);
    const queue = new Queue('dipa-payment', { connection, prefix });
    try {
      const firstEnded = Math.max(...(await queue.getJobs(['completed', 'failed'])).map((j) => j.finishedOn!));
      // The next jobs end strictly later than every first one.
      await eventually(async () => Date.now() > firstEnded + 1, 'the clock past the first jobs');
      await runToEnd('dipa-payment', prefix, [{ id: 'b1', ok: true }, { id: 'b2', ok: false }]);
      await queue.add('dipa-payment', { ok: true }, { jobId: 'waiting', delay: 3_600_000 });
      const cutoff = new Date(firstEnded + 1);

      expect(await purgeEndedJobs({ connection, prefix, queues: ['dipa-payment', 'forfait-ps'], before: cutoff, dryRun: true })).toEqual({
        'dipa-payment': { completed: 2, failed: 1 }, 'forfait-ps': { completed: 0, failed: 0 },
      });
      expect(await queue.getJobCountByTypes('completed', 'failed')).toBe(5);

      expect(await purgeEndedJobs({ connection, prefix, queues: ['dipa-payment'], before: cutoff })).toEqual({ 'dipa-payment': { completed: 2, failed: 1 } });
      expect((await queue.getJobs(['completed', 'failed'])).map((j) => j.id).sort()).toEqual(['b1', 'b2']);
      for (const id of ['a1', 'a2', 'a3']) expect(await queue.getJob(id), id).toBeUndefined();
      expect(await queue.getJobState('waiting')).toBe('delayed');
      // Nothing is left of the removed jobs' data under the prefix.
      const keys = await redis.client.keys(`${prefix}:dipa-payment:a*`);
      expect(keys).toEqual([]);
    } finally {
      await queue.close();
    }
  });
});
