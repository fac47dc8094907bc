import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../gains/index.ts';
import { submitCampaign } from '../../queue/campaigns/campaign.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';
import { writeInputFile, DIPA_HEADER } from '../support/files.ts';
import { dossierIdFor } from '../../queue/campaigns/dossier-id.ts';
import { openJobPayload } from '../../queue/campaigns/job-payload.ts';
import { testSecret } from '../support/secret.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.close();
});

const IBAN = 'FR7630006000011234567890189';
const line = (n: number, ps: string, period = ['16/03/2020', '30/06/2020']) => `DIPA-2020-${String(n).padStart(6, '0')};${ps};DURAND Paul;IDE;${period[0]};${period[1]};1000,00;${IBAN}`;
// Luhn-valid PS numbers.
const PS = ['591000005', '591000013', '591000021'];

const setup = () => {
  const prefix = redis.prefix();
  const queue = new Queue(dipaPayment.id, { connection: redis.server.connection, prefix });
  const ledger = new Ledger(redis.client, { prefix });
  return { queue, ledger };
};

describe('submitting a campaign (real Redis, no worker)', () => {
  it('queues one job per valid row, keyed by dossier, and reports duplicates in the file', async () => {
    const { queue, ledger } = setup();
    const file = await writeInputFile('c.csv', [DIPA_HEADER, line(1, PS[0]!), line(2, PS[1]!), line(3, PS[0]!)].join('\n'));
    const submission = await submitCampaign({ secret: testSecret, queue, ledger, scenario: dipaPayment, file, caisse: 'CPAM du Rhône' });
    expect(submission).toMatchObject({ rows: 3, invalidRows: 1, alreadyQueued: 0 });
    expect(submission.invalid).toEqual([{ file: 'c.csv', rowNumber: 4, field: 'ps+period', reason: 'same dossier as row 2' }]);
    expect(await queue.getJobCountByTypes('waiting', 'prioritized')).toBe(2);
    const job = await queue.getJob(submission.jobIds[0]!);
    expect(job?.data).toMatchObject({ campaignId: submission.campaignId, caisse: 'CPAM du Rhône', rowNumber: 2, scenarioVersion: dipaPayment.version, dossierId: dossierIdFor('dipa-payment', `${PS[0]}|P1`, testSecret) });
    // The row travels sealed: nothing of it in clear in Redis, and it opens with the deployment's secret.
    for (const value of [PS[0]!, 'DURAND', IBAN]) expect(JSON.stringify(job?.data)).not.toContain(value);
    const opened = openJobPayload(job?.data, testSecret);
    expect(opened.ok && opened.raw).toMatchObject({ numero_ps: PS[0] });
    await queue.close();
  });

  it('adds nothing when the same file is submitted while its dossiers are still queued', async () => {
    const { queue, ledger } = setup();
    const file = await writeInputFile('c.csv', [DIPA_HEADER, line(1, PS[0]!), line(2, PS[1]!)].join('\n'));
    const first = await submitCampaign({ secret: testSecret, queue, ledger, scenario: dipaPayment, file, caisse: 'CPAM du Rhône' });
    const second = await submitCampaign({ secret: testSecret, queue, ledger, scenario: dipaPayment, file, caisse: 'CPAM du Rhône' });
    expect(second).toMatchObject({ alreadyQueued: 2, jobIds: [], queuedJobIds: first.jobIds });
    expect(await queue.getJobCountByTypes('waiting', 'prioritized')).toBe(2);
    await queue.close();
  });

  it('skips dossiers the ledger has done, whatever the queue remembers', async () => {
    const { queue, ledger } = setup();
    await ledger.record({
      campaignId: 'earlier', scenarioId: 'dipa-payment', scenarioVersion: '1.0.0', caisse: 'CPAM du Rhône', machine: 'm',
      dossierId: dossierIdFor('dipa-payment', `${PS[2]}|P1`, testSecret), status: 'done', reference: 'PRG-2020-000009', manualMinutesSaved: 6, robotMs: 1, attempts: 1, finishedAt: new Date().toISOString(),
    });
    const file = await writeInputFile('c.csv', [DIPA_HEADER, line(1, PS[2]!), line(2, PS[1]!)].join('\n'));
    const submission = await submitCampaign({ secret: testSecret, queue, ledger, scenario: dipaPayment, file, caisse: 'CPAM du Rhône' });
    expect(submission).toMatchObject({ alreadyDone: 1, alreadyQueued: 0 });
    expect(submission.jobIds).toHaveLength(1);
    await queue.close();
  });
});
