import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentSecret } from '../../core/secret.ts';
import { archiveLedger } from '../../gains/archive.ts';
import { Ledger } from '../../gains/index.ts';
import { collectCampaignRejects, WorkListGone } from '../../queue/campaigns/campaign-rejects.ts';
import { CampaignRegistry } from '../../queue/campaigns/campaign-registry.ts';
import { submitRegisteredCampaign } from '../../queue/campaigns/enqueue.ts';
import type { JobPayload } from '../../queue/campaigns/job-payload.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { dipaSample } from '../support/dipa-sample.ts';
import { eventually } from '../support/eventually.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';

/**
 * The work list of a campaign once Redis has forgotten it: its work list hash expires
 * `retention.ledgerDoneDays` after its last dossier and its entries leave for the archive after
 * `retention.ledgerEntriesDays`. Expiry and the passing days are played by removing the hash and
 * archiving with a later date; Redis, BullMQ and the archive files are real.
 */
let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.close();
});

const secret = DeploymentSecret.fromBytes(randomBytes(32), 'test');
const REFUSAL = "Refus : l'assuré 1 85 07 59 012 345 67 n'est pas éligible";
const DAY = 86_400_000;

/** A campaign of 6 rows ended in the ledger: rows 2 and 5 rejected, row 3 failed, the others done. */
async function endedCampaign() {
  const prefix = redis.prefix();
  const queue = new Queue<JobPayload>(dipaPayment.id, { connection: redis.server.connection, prefix });
  const ledger = new Ledger(redis.client, { prefix });
  const registry = new CampaignRegistry(redis.client, { prefix });
  const file = await dipaSample('campagne.csv', 6);
  const submission = await submitRegisteredCampaign({ queue, ledger, registry, scenario: dipaPayment, file, caisse: 'CPAM du Rhône', secret });
  const worker = new Worker<JobPayload>(dipaPayment.id, async (job) => {
    const d = job.data;
    const status = d.rowNumber === 2 || d.rowNumber === 5 ? 'rejected' : d.rowNumber === 3 ? 'failed' : 'done';
    await ledger.record({
      campaignId: d.campaignId, scenarioId: d.scenarioId, scenarioVersion: d.scenarioVersion, caisse: d.caisse, machine: 'robot-1', dossierId: d.dossierId,
      rowNumber: d.rowNumber, status, ...(status === 'done' ? { reference: `PRG-${d.rowNumber}` } : { reason: status === 'rejected' ? REFUSAL : 'Progrès indisponible' }),
      manualMinutesSaved: 0, robotMs: 1, attempts: 1, finishedAt: new Date().toISOString(),
    });
    if (status === 'failed') throw new UnrecoverableError('Progrès indisponible');
    return status === 'rejected' ? { status, reason: REFUSAL } : { status, reference: `PRG-${d.rowNumber}` };
  }, { connection: redis.server.connection, prefix, concurrency: 1 });
  await eventually(async () => (await queue.getCompletedCount()) + (await queue.getFailedCount()) === 6, 'every dossier ended');
  await worker.close();
  const campaign = await registry.get(submission.campaignId);
  // Weeks later: Redis has dropped the campaign's work list (its counts are kept for good).
  expect(await redis.client.unlink(`${prefix}:ledger:campaign:${campaign.id}:worklist`)).toBe(1);
  const archive = await mkdtemp(join(tmpdir(), 'proweb-rejects-archive-'));
  /** `proweb purge` days later: every day recorded so far goes to the archive and leaves Redis. */
  const archiveAll = async () => {
    const archived = await archiveLedger({ redis: redis.client, ledger, folder: archive, before: new Date(Date.now() + 2 * DAY) });
    expect(archived.entries).toBeGreaterThanOrEqual(6);
    expect(await redis.client.xlen(ledger.entriesKey)).toBe(0);
  };
  return { queue, ledger, registry, campaign, file, archive, archiveAll, close: () => queue.close() };
}

const rows = (list: Awaited<ReturnType<typeof collectCampaignRejects>>) => list.rejects.map((r) => [r.rowNumber, r.status, r.reason]);
const EXPECTED = [[2, 'rejected', "Refus : l'assuré 1 85 ** ** *** *** 67 n'est pas éligible"], [3, 'failed', 'Progrès indisponible'], [5, 'rejected', "Refus : l'assuré 1 85 ** ** *** *** 67 n'est pas éligible"]];

describe('the work list of a campaign Redis has forgotten', () => {
  it('is read from the entries still in Redis once its work list has expired', async () => {
    const c = await endedCampaign();
    expect(rows(await collectCampaignRejects(c))).toEqual(EXPECTED);
    await c.close();
  });

  it('says so, naming --ledger-file and the archive folder, instead of an empty list once its entries were archived too', async () => {
    const c = await endedCampaign();
    await c.archiveAll();
    const error = await collectCampaignRejects(c).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(WorkListGone);
    expect(error).toMatchObject({ expected: 3, found: 0 });
    expect((error as WorkListGone).message).toContain('0 of its 3 rejected or failed dossiers still in Redis');
    expect((error as WorkListGone).hint).toContain('--ledger-file <folder>');
    expect((error as WorkListGone).hint).toContain('folders.ledgerArchive');
    await c.close();
  });

  it('reads the archive folder given, whole, reasons masked, rows read from the input file', async () => {
    const c = await endedCampaign();
    await c.archiveAll();
    expect((await readdir(c.archive)).every((f) => /^ledger-\d{4}-\d{2}-\d{2}\.jsonl$/.test(f))).toBe(true);
    const list = await collectCampaignRejects({ ...c, ledgerFile: c.archive, secret });
    expect(rows(list)).toEqual(EXPECTED);
    expect(list.rejects.map((r) => r.raw?.numero_demande)).toEqual(['DIPA-2020-000001', 'DIPA-2020-000002', 'DIPA-2020-000004']);
    await c.close();
  });

  it('still says so when the folder given does not hold the campaign’s entries', async () => {
    const c = await endedCampaign();
    await c.archiveAll();
    const elsewhere = await endedCampaign();
    await elsewhere.archiveAll();
    const error = await collectCampaignRejects({ ...c, ledgerFile: elsewhere.archive }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(WorkListGone);
    expect((error as WorkListGone).message).toContain(`0 of its 3 rejected or failed dossiers found in Redis and ${elsewhere.archive}`);
    await c.close();
    await elsewhere.close();
  });
});
