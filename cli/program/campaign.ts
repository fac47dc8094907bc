import type { Command } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';
import { configOption, inputOption, integer, jsonOption, type OptionsOf, redisOption } from '../options.ts';

/** `proweb campaign list`: its options. */
const declareCampaignList = (campaign: Command) =>
  campaign
    .command('list')
    .description('recent campaigns, newest first, one line each')
    .option('--limit <n>', 'how many (default 20)', integer('--limit'))
    .addOption(jsonOption())
    .addOption(redisOption())
    .addOption(configOption());

/** `proweb campaign status <id>`: its arguments and options. */
const declareCampaignStatus = (campaign: Command) =>
  campaign
    .command('status <id>')
    .description('state, dossiers by state and estimated end of a campaign')
    .addOption(jsonOption('as JSON, for a program'))
    .addOption(redisOption())
    .addOption(configOption());

/** `proweb campaign pause|resume|cancel <id>`: the campaign, the shared Redis and the configuration. */
const declareCampaignChange = (campaign: Command, name: string, description: string) =>
  campaign.command(name).argument('<id>').description(description).addOption(redisOption()).addOption(configOption());

/** `proweb campaign rejects <id>`: its arguments and options. */
const declareCampaignRejects = (campaign: Command) =>
  campaign
    .command('rejects <id>')
    .description('write the human work list: every rejected or failed dossier with its row, reason and columns (CSV for Excel)')
    .requiredOption('--out <file>', 'CSV file to write')
    .addOption(inputOption('your copy of the campaign\'s input file, read for the rows\' columns (default: the path it was submitted with)').makeOptionMandatory(false))
    .option('--ledger-file <folder>', 'the ledger archive folder (default: folders.ledgerArchive), read once the campaign\'s work list has expired from Redis')
    .addOption(redisOption())
    .addOption(configOption());

/** What every `proweb campaign` subcommand takes: the shared Redis and the configuration. */
export type CampaignOptions = OptionsOf<typeof declareCampaignChange>;
export type CampaignListOptions = OptionsOf<typeof declareCampaignList>;
export type CampaignStatusOptions = OptionsOf<typeof declareCampaignStatus>;
export type CampaignRejectsOptions = OptionsOf<typeof declareCampaignRejects>;

/** `proweb campaign` and its subcommands. */
export function addCampaign(parent: Command, host: CommandHost): void {
  const campaign = parent.command('campaign').description('follow, pause, resume or cancel a queued campaign, and get its work list');
  const implementation = () => import('../commands/campaign.ts');
  declareCampaignList(campaign).action((o) => host.run(async (ctx) => (await implementation()).campaignListCommand(o, ctx)));
  declareCampaignStatus(campaign).action((id, o) => host.run(async (ctx) => (await implementation()).campaignStatusCommand(id, o, ctx)));
  declareCampaignChange(campaign, 'pause', 'stop taking the campaign\'s dossiers (running ones finish)')
    .action((id, o) => host.run(async (ctx) => (await implementation()).campaignPauseCommand(id, o, ctx)));
  declareCampaignChange(campaign, 'resume', 'take the dossiers of a paused campaign again')
    .action((id, o) => host.run(async (ctx) => (await implementation()).campaignResumeCommand(id, o, ctx)));
  declareCampaignChange(campaign, 'cancel', 'remove the campaign\'s queued dossiers (running ones finish; done ones stay done)')
    .action((id, o) => host.run(async (ctx) => (await implementation()).campaignCancelCommand(id, o, ctx)));
  declareCampaignRejects(campaign).action((id, o) => host.run(async (ctx) => (await implementation()).campaignRejectsCommand(id, o, ctx)));
}
