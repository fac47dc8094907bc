import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../gains/index.ts';
import { CampaignRegistry } from '../../queue/campaign-registry.ts';
import { DROPS_QUEUE, DropSubmitter, InvalidSchedule, Schedules } from '../../queue/schedules.ts';
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

/** A fresh deployment with its schedules and a machine that submits the drops. */
function deployment() {
  const prefix = redis.prefix();
  const connection = redis.server.connection;
  const ledger = new Ledger(redis.client, { prefix });
  const registry = new CampaignRegistry(redis.client, { prefix });
  const schedules = new Schedules(connection, { prefix });
  const queue = new Queue(dipaPayment.id, { connection, prefix });
  const drops = new Queue(DROPS_QUEUE, { connection, prefix });
  closing.push(() => schedules.close(), () => queue.close(), () => drops.close());
  const submitter = () => {
    const s = new DropSubmitter({ connection, prefix, ledger, registry, scenarios: catalogue, machine: 'poste-591' });
    closing.push(() => s.close());
    return s;
  };
  return { prefix, ledger, registry, schedules, queue, drops, submitter };
}

describe('scheduled campaigns (BullMQ job schedulers)', () => {
  it('submits the dropped file at each occurrence, and queues each dossier only once', async () => {
    const d = deployment();
    const file = await dipaSample('depot-nocturne.csv', 5);
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
    const d = deployment();
    await d.schedules.set({ name: 'absent', scenarioId: 'dipa-payment', file: '/nonexistent/export.csv', caisse: 'CPAM Lille-Douai', cron: '* * * * * *', timezone: 'Europe/Paris' }, catalogue);
    d.submitter();
    const [failed] = await eventually(async () => {
      const jobs = await d.drops.getFailed();
      return jobs.length > 0 ? jobs : undefined;
    }, 'a failed occurrence', 30_000);
    expect(failed!.failedReason).toBe('scheduled drop absent: no file at /nonexistent/export.csv (the export did not land, or this machine does not see the shared folder)');
    expect(failed!.attemptsMade).toBe(1);
    expect(await d.registry.list()).toEqual([]);
  });

  it('refuses an unknown scenario, a bad cron pattern, a bad time zone or name, and lists what it keeps', async () => {
    const d = deployment();
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
