import { describe, expect, it } from 'vitest';
import { Closer } from '../../cli/closer.ts';
import { openRedis } from '../../cli/redis.ts';
import { loadConfig } from '../../core/config.ts';
import { Ledger } from '../../gains/index.ts';
import { ApplicationPauses } from '../../queue/fleet/application-pauses.ts';
import { CampaignRegistry } from '../../queue/campaigns/campaign-registry.ts';
import { CapacityGate } from '../../queue/fleet/capacity-gate.ts';
import { PrefixNotHashTagged, RedisIsACluster } from '../../queue/redis/redis-policy.ts';
import { runCampaign } from '../../queue/campaigns/run-campaign.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { duplicatesIn, entryCount } from '../support/backoffice-entries.ts';
import { dipaFile, requestRows } from '../support/dipa.ts';
import { useE2e } from '../support/e2e.ts';
import { startTestCluster } from '../support/redis-cluster.ts';
import { testSecret } from '../support/secret.ts';

const e2e = useE2e({ redis: () => startTestCluster(3), robot: { concurrency: 2 } });

/** What the CLI opens for REDIS_URL and PROWEB_PREFIX: every check a command that runs dossiers makes. */
async function open(url: string, prefix: string, closer: Closer) {
  const config = await loadConfig(undefined, { REDIS_URL: url, PROWEB_PREFIX: prefix });
  return { config, redis: await openRedis(config, closer, { warn: () => undefined }) };
}

describe('a deployment on a real Redis Cluster of 3 primaries', () => {
  it('runs a DIPA campaign, each payment entered once, with every key of the deployment in one slot', async () => {
    const { redis: cluster, backOffice, robot } = e2e;
    const closer = new Closer();
    try {
      const prefix = '{cpam-591}';
      const { redis } = await open(cluster.url, prefix, closer);
      const ledger = new Ledger(redis.client, { prefix });
      const rows = 20;
      const file = await dipaFile('cluster.csv', requestRows(backOffice, (p) => p.conventioned, rows));
      const { submission, finished } = await runCampaign({
        secret: testSecret, connection: redis.connection, prefix, scenario: dipaPayment, file, caisse: 'CPAM Lille-Douai', machine: 'robot-cluster', robot, ledger,
        // Every multi-key script of a deployment: campaigns, capacity, application pauses, commit claims, ledger, BullMQ's.
        registry: new CampaignRegistry(redis.client, { prefix }),
        capacity: new CapacityGate(redis.client, { prefix, capacities: { progres: { ratePerMinute: 6_000, maxSessions: 2 } } }),
        applicationPauses: new ApplicationPauses(redis.client, { prefix }),
      });

      expect(submission).toMatchObject({ rows, invalidRows: 0, alreadyDone: 0 });
      expect(finished.map((f) => f.status)).toEqual(Array(rows).fill('done'));
      expect(duplicatesIn(backOffice.state.entriesByKey())).toEqual([]);
      expect(entryCount(backOffice.state.entriesByKey())).toBe(rows);
      expect(await ledger.campaignCounts(submission.campaignId)).toEqual({ done: rows, rejected: 0, failed: 0 });
      expect(await ledger.possibleDuplicates(submission.campaignId)).toBe(0);

      // The hash tag holds: the deployment's keys (BullMQ's and proweb's) all live on the one primary that owns its slot.
      const keysByNode = await Promise.all(cluster.nodes.map((n) => n.client.keys(`${prefix}:*`)));
      expect(keysByNode.filter((keys) => keys.length > 0)).toHaveLength(1);
      const keys = keysByNode.flat();
      for (const part of [':dipa-payment:', ':ledger:', ':campaign', ':capacity:']) expect(keys.some((k) => k.includes(part)), `a key with ${part}`).toBe(true);
    } finally {
      await closer.closeAll();
    }
  });

  it('refuses a prefix without a hash tag, and a URL of one server that leads to a cluster node, before any dossier', async () => {
    const { redis: cluster } = e2e;
    const closer = new Closer();
    try {
      await expect(open(cluster.url, 'cpam-591', closer)).rejects.toThrow(PrefixNotHashTagged);
      await expect(open(cluster.url, 'cpam-591', closer)).rejects.toMatchObject({ hint: expect.stringContaining('Set "prefix": "{cpam-591}"') });
      const oneNode = `redis://:${cluster.password}@127.0.0.1:${cluster.nodes[0]!.port}`;
      await expect(open(oneNode, '{cpam-591}', closer)).rejects.toThrow(RedisIsACluster);
      await expect(open(oneNode, '{cpam-591}', closer)).rejects.toMatchObject({ hint: expect.stringContaining('redis+cluster://') });
    } finally {
      await closer.closeAll();
    }
  });
});
