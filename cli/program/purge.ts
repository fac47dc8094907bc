import type { Command } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';
import { configOption, dryRunOption, type OptionsOf, redisOption } from '../options.ts';

/** `proweb purge`: its options; the action is added by `addPurge`. */
const declarePurge = (parent: Command) =>
  parent
    .command('purge')
    .description('apply the retention of the configuration: remove old evidence, traces, rejection files and ended jobs; prints what it removed')
    .addOption(dryRunOption('say what would be removed, remove nothing'))
    .addOption(redisOption())
    .addOption(configOption());

export type PurgeOptions = OptionsOf<typeof declarePurge>;

export function addPurge(parent: Command, host: CommandHost): void {
  declarePurge(parent).action((o) => host.run(async (ctx) => (await import('../commands/purge.ts')).purgeCommand(o, ctx)));
}
