import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentSecret } from '../../core/secret.ts';
import { archiveLedger } from '../../gains/archive.ts';
import { collectCampaignRejects, WorkListGone } from '../../queue/campaigns/campaign-rejects.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';
import { endedCampaign } from '../support/ended-campaign.ts';

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
async function forgottenCampaign() {
  const { prefix, ledger, campaign, ...c } = await endedCampaign(redis, {
    secret, rows: 6,
    end: (row) => row === 2 || row === 5 ? { status: 'rejected', reason: REFUSAL } : row === 3 ? { status: 'failed', reason: 'Progrès indisponible' } : { status: 'done', reference: `PRG-${row}` },
  });
  // Weeks later: Redis has dropped the campaign's work list (its counts are kept for good).
  expect(await redis.client.unlink(`${prefix}:ledger:campaign:${campaign.id}:worklist`)).toBe(1);
  const archive = await mkdtemp(join(tmpdir(), 'proweb-rejects-archive-'));
  /** `proweb purge` days later: every day recorded so far goes to the archive and leaves Redis. */
  const archiveAll = async () => {
    const archived = await archiveLedger({ redis: redis.client, ledger, folder: archive, before: new Date(Date.now() + 2 * DAY) });
    expect(archived.entries).toBeGreaterThanOrEqual(6);
    expect(await redis.client.xlen(ledger.entriesKey)).toBe(0);
  };
  return { ...c, ledger, campaign, archive, archiveAll };
}

const rows = (list: Awaited<ReturnType<typeof collectCampaignRejects>>) => list.rejects.map((r) => [r.rowNumber, r.status, r.reason]);
const EXPECTED = [[2, 'rejected', "Refus : l'assuré 1 85 ** ** *** *** 67 n'est pas éligible"], [3, 'failed', 'Progrès indisponible'], [5, 'rejected', "Refus : l'assuré 1 85 ** ** *** *** 67 n'est pas éligible"]];

describe('the work list of a campaign Redis has forgotten', () => {
  it('is read from the entries still in Redis once its work list has expired', async () => {
    const c = await forgottenCampaign();
    expect(rows(await collectCampaignRejects(c))).toEqual(EXPECTED);
    await c.close();
  });

  it('says so, naming --ledger-file and the archive folder, instead of an empty list once its entries were archived too', async () => {
    const c = await forgottenCampaign();
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
    const c = await forgottenCampaign();
    await c.archiveAll();
    expect((await readdir(c.archive)).every((f) => /^ledger-\d{4}-\d{2}-\d{2}\.jsonl$/.test(f))).toBe(true);
    const list = await collectCampaignRejects({ ...c, ledgerFile: c.archive, secret });
    expect(rows(list)).toEqual(EXPECTED);
    expect(list.rejects.map((r) => r.raw?.numero_demande)).toEqual(['DIPA-2020-000001', 'DIPA-2020-000002', 'DIPA-2020-000004']);
    await c.close();
  });

  it('still says so when the folder given does not hold the campaign’s entries', async () => {
    const c = await forgottenCampaign();
    await c.archiveAll();
    const elsewhere = await forgottenCampaign();
    await elsewhere.archiveAll();
    const error = await collectCampaignRejects({ ...c, ledgerFile: elsewhere.archive }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(WorkListGone);
    expect((error as WorkListGone).message).toContain(`0 of its 3 rejected or failed dossiers found in Redis and ${elsewhere.archive}`);
    await c.close();
    await elsewhere.close();
  });
});
