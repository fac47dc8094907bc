import { Queue } from 'bullmq';
import type { ProwebConfig } from '../../core/config.ts';
import type { DeploymentSecret } from '../../core/secret.ts';
import { Ledger } from '../../gains/index.ts';
import { type CampaignRecord, CampaignRegistry } from '../../queue/campaigns/campaign-registry.ts';
import { collectCampaignRejects, writeCampaignRejects } from '../../queue/campaigns/campaign-rejects.ts';
import { campaignStatus } from '../../queue/campaigns/campaign-status.ts';
import { type ApplicationPause, ApplicationPauses } from '../../queue/fleet/application-pauses.ts';
import { queueNameFor } from '../../queue/queue-options.ts';
import { catalogue } from '../../scenarios/catalogue.ts';
import { applicationPausesBlock } from '../application-pause-text.ts';
import { campaignListText, campaignStatusText } from '../campaign-status-text.ts';
import { deploymentSecretFor, type CommandContext } from '../context.ts';
import type { CampaignListOptions, CampaignOptions, CampaignRejectsOptions, CampaignStatusOptions } from '../program/campaign.ts';
import { loadConfigWithRedis, openRedis } from '../redis.ts';
import { queueOpener, resumeApplication } from './application.ts';

/** What every `proweb campaign` subcommand opens: Redis, the registry and the ledger. */
async function open(opts: CampaignOptions, ctx: CommandContext, changes: boolean) {
  const config = await loadConfigWithRedis(opts);
  // Reading a campaign cannot lose anything: only commands that change one refuse an evicting Redis.
  const redis = await openRedis(config, ctx.closer, { requireNoEviction: changes });
  const registry = new CampaignRegistry(redis.client, { prefix: config.prefix });
  const ledger = new Ledger(redis.client, { prefix: config.prefix });
  const queueOf = (campaign: CampaignRecord) =>
    ctx.closer.add('queue', new Queue(queueNameFor(campaign.scenarioId), { connection: redis.connection, prefix: config.prefix }), (q) => q.close());
  const pauses = new ApplicationPauses(redis.client, { prefix: config.prefix });
  return { registry, ledger, queueOf, pauses, redis, prefix: config.prefix, config };
}

/** The pauses in force among the applications of the campaign's scenario (all of them for a scenario this installation does not know). */
async function pausesOf(campaign: CampaignRecord, pauses: ApplicationPauses): Promise<ApplicationPause[]> {
  const scenario = catalogue.get(campaign.scenarioId);
  return scenario ? pauses.pausedAmong(scenario.applications.map((a) => a.id)) : pauses.list();
}

/** `proweb campaign status <id> [--json]`. */
export async function campaignStatusCommand(id: string, opts: CampaignStatusOptions, ctx: CommandContext): Promise<number> {
  const { registry, ledger, queueOf, pauses } = await open(opts, ctx, false);
  const campaign = await registry.get(id);
  const status = await campaignStatus({ registry, ledger, queue: queueOf(campaign), campaignId: id, pausedApplications: await pausesOf(campaign, pauses) });
  // Its dossiers wait while an application it needs is paused: say which, why and what to do.
  ctx.out(opts.json ? `${JSON.stringify(status, null, 2)}\n` : campaignStatusText(status) + applicationPausesBlock(status.pausedApplications));
  return 0;
}

/** `proweb campaign pause <id>`: workers park its dossiers as they take them. */
export async function campaignPauseCommand(id: string, opts: CampaignOptions, ctx: CommandContext): Promise<number> {
  const { registry } = await open(opts, ctx, true);
  const campaign = await registry.pause(id);
  ctx.out(`Campaign ${campaign.id} paused: running dossiers finish, the others wait for \`proweb campaign resume ${campaign.id}\`.\n`);
  return 0;
}

/** `proweb campaign resume <id>`. */
export async function campaignResumeCommand(id: string, opts: CampaignOptions, ctx: CommandContext): Promise<number> {
  const { registry, queueOf, pauses, redis, prefix } = await open(opts, ctx, true);
  const { campaign, promoted } = await registry.resume(id, queueOf(await registry.get(id)));
  ctx.out(`Campaign ${campaign.id} resumed: ${promoted} parked dossier${promoted === 1 ? '' : 's'} back in the queue.\n`);
  // Resuming a campaign means "go on": the applications it needs that a refused login paused go on too.
  const queueFor = queueOpener(redis.connection, prefix, ctx.closer);
  const needed = catalogue.get(campaign.scenarioId)?.applications.map((a) => a.id) ?? [];
  for (const pause of await pauses.pausedAmong(needed)) ctx.out(await resumeApplication(pauses, pause.applicationId, queueFor));
  return 0;
}

/** `proweb campaign cancel <id>`: queued dossiers removed; running ones finish. */
export async function campaignCancelCommand(id: string, opts: CampaignOptions, ctx: CommandContext): Promise<number> {
  const { registry, queueOf } = await open(opts, ctx, true);
  const { campaign, cancelled, stillRunning } = await registry.cancel(id, queueOf(await registry.get(id)));
  ctx.out(`Campaign ${campaign.id} cancelled: ${cancelled} queued dossier${cancelled === 1 ? '' : 's'} removed` +
    `${stillRunning > 0 ? `, ${stillRunning} running now will finish` : ''}. Dossiers already done stay done.\n`);
  return 0;
}

/**
 * `proweb campaign rejects <id> --out F [--input G]`: the human work list of the campaign.
 * Each row's columns are read from the input file on this machine (the agent's own copy,
 * `--input`, else the path the campaign was submitted with); when it cannot be read here
 * the list still has every row number, status and masked reason, and standard error says why
 * the columns are empty. Once the campaign's work list has expired from Redis, its entries are
 * read from the ledger archive (`--ledger-file`, else `folders.ledgerArchive`).
 */
export async function campaignRejectsCommand(id: string, opts: CampaignRejectsOptions, ctx: CommandContext): Promise<number> {
  const { registry, ledger, queueOf, config } = await open(opts, ctx, false);
  const campaign = await registry.get(id);
  const secret = await workListSecret(config);
  const ledgerFile = opts.ledgerFile ?? config.folders.ledgerArchive;
  const list = await collectCampaignRejects({
    campaign, queue: queueOf(campaign), ledger, registry, ...(opts.input ? { inputFile: opts.input } : {}), ...(secret ? { secret } : {}), ...(ledgerFile ? { ledgerFile } : {}),
  });
  const written = await writeCampaignRejects(opts.out, list.rejects);
  const count = (status: string) => list.rejects.filter((r) => r.status === status).length;
  ctx.out(`${written.rows} dossiers for a human (${count('rejected')} rejected, ${count('failed')} failed) written to ${written.path}\n`);
  if (list.inputProblem !== undefined) {
    process.stderr.write(
      `warning: the input file ${list.inputFile} cannot be read on this machine (${list.inputProblem}): the work list has the row numbers, statuses and reasons, ` +
        'but the columns of the rows are empty. Give your copy of the file with --input <file>.\n',
    );
  } else if (list.rowsNotMatched > 0) {
    process.stderr.write(
      `warning: ${list.rowsNotMatched} of them without their row's columns: ${list.inputFile} has no such row, or that row is another dossier now ` +
        '(the file was changed since the campaign was submitted). Give the file as submitted with --input <file>.\n',
    );
  }
  return 0;
}

/**
 * The deployment secret, when this machine has one: with it, a row of the input file is
 * put beside a dossier only if it still is that dossier. An agent's machine of a fleet may
 * hold none (it never queues nor runs dossiers): then the rows are taken by number alone.
 */
async function workListSecret(config: ProwebConfig): Promise<DeploymentSecret | undefined> {
  const configured = Boolean(process.env.PROWEB_SECRET || process.env.PROWEB_SECRET_FILE || config.secretFile);
  if (!configured && config.redisUrl) return undefined;
  return deploymentSecretFor(config);
}

/** `proweb campaign list [--limit N] [--json]`: recent campaigns, newest first. */
export async function campaignListCommand(opts: CampaignListOptions, ctx: CommandContext): Promise<number> {
  const { registry, ledger } = await open(opts, ctx, false);
  const campaigns = await registry.list(opts.limit ?? 20);
  const listed = await Promise.all(campaigns.map(async (campaign) => ({ campaign, state: await listedState(campaign, ledger) })));
  ctx.out(opts.json ? `${JSON.stringify(listed, null, 2)}\n` : campaignListText(listed));
  return 0;
}

/** A cheap state for the list: a campaign whose every queued dossier is in the ledger (or cancelled) is finished. */
async function listedState(campaign: CampaignRecord, ledger: Ledger): Promise<string> {
  if (campaign.state === 'cancelled' || campaign.dryRun) return campaign.state;
  if (campaign.reading) return `${campaign.state} (reading)`;
  const counts = await ledger.campaignCounts(campaign.id);
  return counts.done + counts.rejected + counts.failed + (campaign.cancelled ?? 0) >= campaign.queued ? 'finished' : campaign.state;
}
