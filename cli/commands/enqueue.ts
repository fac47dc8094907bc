import { hostname } from 'node:os';
import { basename } from 'node:path';
import { Ledger } from '../../gains/index.ts';
import { assertInputFile } from '../../input/index.ts';
import { CampaignRegistry } from '../../queue/campaigns/campaign-registry.ts';
import { newCampaignId } from '../../queue/campaigns/campaign.ts';
import { enqueueCampaign } from '../../queue/campaigns/enqueue.ts';
import { findScenario } from '../../scenarios/catalogue.ts';
import { invalidRowsText } from '../campaign-output.ts';
import { deploymentSecretFor, type CommandContext } from '../context.ts';
import { formatParisDateTime } from '../paris-time.ts';
import type { EnqueueOptions } from '../program/enqueue.ts';
import { loadConfigWithRedis, openRedis } from '../redis.ts';

/**
 * `proweb enqueue <scenario> --input F --caisse C`: queues a campaign for the fleet's
 * workers, runs nothing here, and prints its id alone on the last line.
 */
export async function enqueueCommand(scenarioId: string, opts: EnqueueOptions, ctx: CommandContext): Promise<number> {
  const config = await loadConfigWithRedis(opts);
  const scenario = findScenario(scenarioId);
  await assertInputFile(opts.input);
  const secret = await deploymentSecretFor(config);
  const redis = await openRedis(config, ctx.closer);
  ctx.out(`Redis: ${redis.where}${config.redisUrl ? '' : ' (set REDIS_URL for the fleet to see this campaign)'}\n`);
  const ledger = new Ledger(redis.client, { prefix: config.prefix });
  const registry = new CampaignRegistry(redis.client, { prefix: config.prefix });
  const campaignId = newCampaignId();
  // Interrupted while the file is read, the campaign keeps what was queued, and says the reading is over.
  ctx.closer.add('campaign submission', campaignId, async (id) => {
    const campaign = await registry.find(id);
    if (campaign?.reading) await registry.update(id, { reading: false, queued: await registry.jobCount(id) });
  });
  const s = await enqueueCampaign({
    campaignId,
    connection: redis.connection, prefix: config.prefix, ledger, registry, scenario, file: opts.input, caisse: opts.caisse, secret,
    machine: config.machine ?? hostname(),
    ...(config.folders.rejections ? { rejectionsFolder: config.folders.rejections } : {}),
    ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
    ...(opts.notBefore ? { notBefore: opts.notBefore } : {}),
    ...(opts.dryRun ? { dryRun: true } : {}),
  });
  const notBefore = opts.notBefore && opts.notBefore.getTime() > Date.now() ? `${formatParisDateTime(opts.notBefore)} (Paris time)` : undefined;
  ctx.out([
    `Campaign ${s.campaignId}: ${s.scenarioId} × ${basename(s.file)} × ${s.caisse}${opts.dryRun ? ' (dry run)' : ''}`,
    `  rows read            ${s.rows}`,
    `  invalid (not queued) ${s.invalidRows}`,
    `  already done before  ${s.alreadyDone}`,
    `  already in queue     ${s.alreadyQueued}`,
    `  queued               ${s.jobIds.length}`,
    ...(notBefore ? [`  not before           ${notBefore}`] : []),
    ...(opts.priority !== undefined ? [`  priority             ${opts.priority}`] : []),
    '',
  ].join('\n'));
  ctx.out(invalidRowsText(s));
  ctx.out(`${s.campaignId}\n`);
  return 0;
}
