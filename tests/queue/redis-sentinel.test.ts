import { describe, expect, it } from 'vitest';
import { Closer } from '../../cli/closer.ts';
import { openRedis } from '../../cli/redis.ts';
import { loadConfig } from '../../core/config.ts';
import { Ledger } from '../../gains/index.ts';
import { CampaignRegistry } from '../../queue/campaigns/campaign-registry.ts';
import { runCampaign } from '../../queue/campaigns/run-campaign.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { duplicatesIn, entryCount } from '../support/backoffice-entries.ts';
import { dipaFile, requestRows } from '../support/dipa.ts';
import { useE2e } from '../support/e2e.ts';
import { eventually } from '../support/eventually.ts';
import { startTestSentinel, type RedisNode } from '../support/redis-cluster.ts';
import { startTestRedis } from '../support/redis.ts';
import { testSecret } from '../support/secret.ts';

const e2e = useE2e({ redis: () => startTestSentinel(), robot: { concurrency: 2 } });

/**
 * A campaign through the Sentinel URL, with `failover` started once a few dossiers ended (and
 * `afterFailover` once the sentinels name `newPrimary`): every dossier must end once, in the
 * ledger and in the back office, on whichever primary is left.
 */
async function campaignThroughFailover(prefix: string, rows: number, failover: () => Promise<void>, newPrimary: RedisNode, afterFailover?: () => Promise<void>) {
  const { redis: sentinel, backOffice, robot } = e2e;
  const closer = new Closer();
  try {
    const config = await loadConfig(undefined, { REDIS_URL: sentinel.url, PROWEB_PREFIX: prefix });
    const redis = await openRedis(config, closer, { warn: () => undefined });
    const ledger = new Ledger(redis.client, { prefix });
    const file = await dipaFile(`sentinel-${rows}.csv`, requestRows(backOffice, (p) => p.conventioned, rows));
    let ended = 0;
    const run = runCampaign({
      secret: testSecret, connection: redis.connection, prefix, scenario: dipaPayment, file, caisse: 'CPAM Lille-Douai', machine: 'robot-sentinel', robot, ledger,
      registry: new CampaignRegistry(redis.client, { prefix }), onFinished: () => void ended++,
    });
    await eventually(async () => ended >= 3, 'three dossiers ended before the failover', 60_000);
    await failover();
    await eventually(async () => (await sentinel.primaryPort()) === newPrimary.port, `the sentinels naming 127.0.0.1:${newPrimary.port} primary`, 60_000);
    await afterFailover?.();
    const endedAtFailover = ended;
    const { submission, finished } = await run;

    expect(endedAtFailover, 'the failover happened while the campaign ran').toBeLessThan(rows);
    expect(finished.map((f) => f.status)).toEqual(Array(rows).fill('done'));
    expect(duplicatesIn(backOffice.state.entriesByKey())).toEqual([]);
    expect(entryCount(backOffice.state.entriesByKey())).toBe(rows);
    expect(await ledger.campaignCounts(submission.campaignId)).toEqual({ done: rows, rejected: 0, failed: 0 });
    expect(await ledger.possibleDuplicates(submission.campaignId)).toBe(0);
    // The command's own client followed the primary.
    expect(await redis.client.info('server')).toMatch(new RegExp(`^tcp_port:${newPrimary.port}\\b`, 'm'));
  } finally {
    await closer.closeAll();
  }
}

describe('a deployment on a primary and its replica watched by three real sentinels', () => {
  // Between the replica's promotion and the old primary's demotion the workers still write to the
  // old primary, whose writes are dropped when it follows the new one: the ledger's records and the
  // commit claims count only once a replica acknowledged them on the connection they went on.
  it('rides out SENTINEL FAILOVER during a campaign: every dossier ends once', async () => {
    const sentinel = e2e.redis;
    await campaignThroughFailover('{cpam-593}', 30, async () => {
      await sentinel.sentinels[0]!.client.call('SENTINEL', 'FAILOVER', sentinel.master);
    }, sentinel.replica);
  });

  it('rides out the primary killed (kill -9) during a campaign: the sentinels elect the replica, every dossier ends once', async () => {
    const sentinel = e2e.redis;
    // After a forced failover the replica leads; the first primary follows it again.
    const [leader, follower] = (await sentinel.primaryPort()) === sentinel.replica.port ? [sentinel.replica, sentinel.primary] : [sentinel.primary, sentinel.replica];
    await eventually(async () => /master_link_status:up/.test(await follower.client.info('replication')), 'the follower in sync', 60_000);
    // A write counts once a replica holds it: the campaign goes on when the killed server, restarted
    // by its service manager, follows the new primary (the sentinels reconfigure it).
    await campaignThroughFailover('{cpam-594}', 30, () => leader.crash(), follower, () => leader.restart());
  });
});

describe('what waiting for a replica costs', () => {
  const record = (ledger: Ledger, dossierId: string) => ledger.record({
    campaignId: '2026-12-03-wait', scenarioId: dipaPayment.id, scenarioVersion: dipaPayment.version, caisse: 'CPAM Lille-Douai', machine: 'm1',
    dossierId, rowNumber: 2, status: 'done', reference: 'PAY-1', manualMinutesSaved: 1, robotMs: 1, attempts: 1, finishedAt: new Date().toISOString(),
  });
  const waits = async (info: string) => Number(/^cmdstat_wait:calls=(\d+)/m.exec(info)?.[1] ?? 0);

  it('one server: a record is one script, no WAIT; under Sentinel the primary is asked to WAIT for its replica', async () => {
    const single = await startTestRedis();
    try {
      expect((await record(new Ledger(single.client, { prefix: single.prefix() }), 'single-1')).recorded).toBe(true);
      expect(await waits(await single.client.info('commandstats'))).toBe(0);
    } finally {
      await single.close();
    }
    const closer = new Closer();
    try {
      const config = await loadConfig(undefined, { REDIS_URL: e2e.redis.url, PROWEB_PREFIX: '{cpam-595}' });
      const redis = await openRedis(config, closer, { warn: () => undefined });
      const before = await waits(await redis.client.info('commandstats'));
      expect((await record(new Ledger(redis.client, { prefix: '{cpam-595}' }), 'sentinel-1')).recorded).toBe(true);
      expect(await waits(await redis.client.info('commandstats'))).toBe(before + 1);
    } finally {
      await closer.closeAll();
    }
  });
});
