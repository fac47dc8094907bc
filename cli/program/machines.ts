import type { Command } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';
import { configOption, jsonOption, type OptionsOf, redisOption } from '../options.ts';

/** `proweb machines`: its options; the action is added by `addMachines`. */
const declareMachines = (parent: Command) =>
  parent
    .command('machines')
    .description('robot machines online: what they run, dossiers done in the last hour, when each was last seen')
    .addOption(redisOption())
    .option('--all', 'also machines that stopped or went silent')
    .addOption(jsonOption())
    .addOption(configOption());

export type MachinesOptions = OptionsOf<typeof declareMachines>;

export function addMachines(parent: Command, host: CommandHost): void {
  declareMachines(parent).action((o) => host.run(async (ctx) => (await import('../commands/machines.ts')).machinesCommand(o, ctx)));
}
