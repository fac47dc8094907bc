import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentSecret } from '../../core/secret.ts';
import { Ledger } from '../../gains/index.ts';
import { OutsideDropFolders } from '../../queue/campaigns/drop-folders.ts';
import { CampaignRegistry } from '../../queue/campaigns/campaign-registry.ts';
import { DROPS_QUEUE, DropSubmitter, InvalidSchedule, Schedules } from '../../queue/campaigns/schedules.ts';
import { catalogue } from '../../scenarios/catalogue.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { dipaSample } from '../support/dipa-sample.ts';
import { eventually } from '../support/eventually.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
const closing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closing.length > 0) await closing.pop()!();
});
afterAll(async () => {
  await redis?.close();
});

const secret = DeploymentSecret.fromBytes(randomBytes(32), 'test');

/** A shared folder the exports land in, with one export of `rows` DIPA requests. */
async function dropFolderWith(name: string, rows: number): Promise<{ folder: string; file: string }> {
  const file = await dipaSample(name, rows);
  return { folder: dirname(file), file };
}

/** A fresh deployment with its schedules and a machine that submits the drops, both configured with `dropFolders`. */
function deployment(dropFolders: readonly string[]) {
  const prefix = redis.prefix();
  const connection = redis.server.connection;
  const ledger = new Ledger(redis.client, { prefix });
  const registry = new CampaignRegistry(redis.client, { prefix });
  const schedules = new Schedules(connection, { prefix, dropFolders });
  const queue = new Queue(dipaPayment.id, { connection, prefix });
  const drops = new Queue(DROPS_QUEUE, { connection, prefix });
  closing.push(() => schedules.close(), () => queue.close(), () => drops.close());
  const submitter = () => {
    const s = new DropSubmitter({ connection, prefix, ledger, registry, scenarios: catalogue, machine: 'poste-591', secret, dropFolders });
    closing.push(() => s.close());
    return s;
  };
  /** What someone who can write to Redis does: a job scheduler written with BullMQ itself, no check in front of it. */
  const forge = (name: string, file: string) =>
    drops.upsertJobScheduler(name, { pattern: '* * * * * *', tz: 'Europe/Paris' }, { name: 'drop', data: { scenarioId: 'dipa-payment', file, caisse: 'CPAM Lille-Douai' } });
  return { prefix, ledger, registry, schedules, queue, drops, submitter, forge };
}

describe('scheduled campaigns (BullMQ job schedulers)', () => {
  it('submits the dropped file at each occurrence, and queues each dossier only once', async () => {
    const { folder, file } = await dropFolderWith('depot-nocturne.csv', 5);
    const d = deployment([folder]);
    // Every second, so that the test sees two occurrences.
    const schedule = await d.schedules.set({ name: 'dipa-nuit', scenarioId: 'dipa-payment', file, caisse: 'CPAM Lille-Douai', cron: '* * * * * *', timezone: 'Europe/Paris' }, catalogue);
    expect(schedule).toMatchObject({ name: 'dipa-nuit', scenarioId: 'dipa-payment', file, caisse: 'CPAM Lille-Douai', cron: '* * * * * *', timezone: 'Europe/Paris' });
    expect(schedule.next).toBeInstanceOf(Date);
    d.submitter();

    const campaigns = await eventually(async () => {
      const list = await d.registry.list();
      return list.length >= 2 && !list.some((c) => c.reading) ? list : undefined;
    }, 'two occurrences submitted', 30_000);
    // The first occurrence queued the 5 dossiers; the next found them queued already.
    expect(campaigns.map((c) => c.queued).sort()).toEqual(expect.arrayContaining([0, 5]));
    expect(campaigns.every((c) => c.file === file && c.caisse === 'CPAM Lille-Douai' && c.machine === 'poste-591')).toBe(true);
    expect(await d.queue.getJobCountByTypes('waiting', 'prioritized', 'delayed')).toBe(5);

    expect(await d.schedules.remove('dipa-nuit')).toBe(true);
    expect(await d.schedules.list()).toEqual([]);
  });

  it('fails an occurrence whose file did not land, naming the file, without retrying it', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'proweb-test-drops-'));
    const d = deployment([folder]);
    await d.schedules.set({ name: 'absent', scenarioId: 'dipa-payment', file: join(folder, 'export.csv'), caisse: 'CPAM Lille-Douai', cron: '* * * * * *', timezone: 'Europe/Paris' }, catalogue);
    d.submitter();
    const [failed] = await eventually(async () => {
      const jobs = await d.drops.getFailed();
      return jobs.length > 0 ? jobs : undefined;
    }, 'a failed occurrence', 30_000);
    expect(failed!.failedReason).toBe(`scheduled drop absent: no file at ${join(folder, 'export.csv')} (the export did not land, or this machine does not see the shared folder)`);
    expect(failed!.attemptsMade).toBe(1);
    expect(await d.registry.list()).toEqual([]);
  });

  it('refuses an unknown scenario, a bad cron pattern, a bad time zone or name, and lists what it keeps', async () => {
    const d = deployment(['/partage']);
    const base = { name: 'ok', scenarioId: 'dipa-payment', file: '/partage/dipa.csv', caisse: 'CPAM Lille-Douai', cron: '30 2 * * 1-5', timezone: 'Europe/Paris' };
    await expect(d.schedules.set({ ...base, scenarioId: 'nope' }, catalogue)).rejects.toThrow(/unknown scenario "nope"/);
    await expect(d.schedules.set({ ...base, cron: '61 2 * * *' }, catalogue)).rejects.toThrow(InvalidSchedule);
    await expect(d.schedules.set({ ...base, timezone: 'Mars/Olympus' }, catalogue)).rejects.toThrow(/unknown time zone "Mars\/Olympus"/);
    await expect(d.schedules.set({ ...base, name: 'a b' }, catalogue)).rejects.toThrow(/schedule name "a b" is not valid/);

    await d.schedules.set(base, catalogue);
    const [kept] = await d.schedules.list();
    expect(kept).toMatchObject(base);
    // 02:30 Paris time on a weekday.
    const local = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', weekday: 'short' }).format(kept!.next);
    expect(local).toMatch(/^(lun\.|mar\.|mer\.|jeu\.|ven\.) 02:30$/);
  });
});

describe('drop folders: Redis cannot make a robot read a file of its choosing', () => {
  const base = { scenarioId: 'dipa-payment', caisse: 'CPAM Lille-Douai', cron: '30 2 * * 1-5', timezone: 'Europe/Paris' };

  it('refuses to write a schedule whose file is outside the drop folders, after resolving .. and symbolic links', async () => {
    const { folder, file } = await dropFolderWith('dipa.csv', 1);
    const outside = await dipaSample('ailleurs.csv', 1);
    await symlink(outside, join(folder, 'lien.csv'));
    await symlink(dirname(outside), join(folder, 'dossier-lien'));
    const d = deployment([folder]);

    for (const path of [outside, `${folder}/../${dirname(outside).split('/').pop()}/ailleurs.csv`, join(folder, 'lien.csv'), join(folder, 'dossier-lien', 'ailleurs.csv'), join(folder, 'dossier-lien', 'pas-encore.csv'), folder, '/etc/passwd']) {
      const attempt = d.schedules.set({ ...base, name: 'hors', file: path }, catalogue);
      await expect(attempt, path).rejects.toThrow(OutsideDropFolders);
      await expect(d.schedules.set({ ...base, name: 'hors', file: path }, catalogue)).rejects.toThrow(`is not inside a drop folder (folders.drops: ${folder})`);
    }
    // A file that has not landed yet, in a sub-folder not created yet, is fine: the export comes at night.
    expect((await d.schedules.set({ ...base, name: 'plus-tard', file: join(folder, 'nuit', 'export.csv') }, catalogue)).file).toBe(join(folder, 'nuit', 'export.csv'));
    expect((await d.schedules.set({ ...base, name: 'ok', file }, catalogue)).file).toBe(file);
    expect((await d.schedules.list()).map((s) => s.name).sort()).toEqual(['ok', 'plus-tard']);
  });

  it('accepts no schedule at all when no drop folder is configured, and says which key to set', async () => {
    const { file } = await dropFolderWith('dipa.csv', 1);
    const d = deployment([]);
    await expect(d.schedules.set({ ...base, name: 'x', file }, catalogue)).rejects.toThrow(/no drop folder is configured/);
    await expect(d.schedules.set({ ...base, name: 'x', file }, catalogue)).rejects.toMatchObject({ hint: expect.stringMatching(/"folders": \{ "drops"/) });
  });

  it('fails, without reading it, a drop written straight into Redis whose file is outside the robot\'s drop folders or links out of them', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'proweb-test-drops-'));
    // A valid export that would be queued if the robot read it.
    const outside = await dipaSample('export-vole.csv', 3);
    await mkdir(join(folder, 'sous'));
    await symlink(outside, join(folder, 'sous', 'lien.csv'));
    const d = deployment([folder]);
    await d.forge('vol', outside);
    await d.forge('lien', join(folder, 'sous', 'lien.csv'));
    await d.forge('remonte', `${folder}/../${outside.split('/').slice(-2).join('/')}`);
    d.submitter();

    const failed = await eventually(async () => {
      const jobs = await d.drops.getFailed();
      const names = new Set(jobs.map((j) => j.repeatJobKey));
      return names.has('vol') && names.has('lien') && names.has('remonte') ? jobs : undefined;
    }, 'the forged occurrences failed', 30_000);
    expect(failed.find((j) => j.repeatJobKey === 'vol')!.failedReason).toBe(
      `scheduled drop vol: scheduled drop file ${outside} is not inside a drop folder (folders.drops: ${folder}). ${new OutsideDropFolders(outside, [folder]).hint}`,
    );
    expect(failed.find((j) => j.repeatJobKey === 'lien')!.failedReason).toContain(`scheduled drop file ${join(folder, 'sous', 'lien.csv')} is not inside a drop folder`);
    expect(failed.find((j) => j.repeatJobKey === 'remonte')!.failedReason).toContain('/../');
    expect(failed.find((j) => j.repeatJobKey === 'remonte')!.failedReason).toContain('is not inside a drop folder');
    expect(failed.every((j) => j.attemptsMade === 1)).toBe(true);
    expect(await d.registry.list()).toEqual([]);
    expect(await d.queue.count()).toBe(0);
  });

  it('reads the file a drop names once it has landed in the drop folder', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'proweb-test-drops-'));
    const d = deployment([folder]);
    const target = join(folder, 'export.csv');
    await d.schedules.set({ ...base, name: 'arrivee', file: target, cron: '* * * * * *' }, catalogue);
    // The export lands (written elsewhere, moved in atomically, as a transfer tool does).
    const landed = await dipaSample('export.csv', 2);
    await rename(landed, target);
    d.submitter();
    const [campaign] = await eventually(async () => {
      const list = await d.registry.list();
      return list.length >= 1 && !list[0]!.reading ? list : undefined;
    }, 'the landed export submitted', 30_000);
    expect(campaign).toMatchObject({ file: target, queued: 2 });
  });
});
