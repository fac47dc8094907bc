import type { Command } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';
import { caisseOption, configOption, dryRunOption, inputOption, notBeforeOption, type OptionsOf, priorityOption, redisOption } from '../options.ts';

/** `proweb enqueue <scenario>`: its arguments and options; the action is added by `addEnqueue`. */
const declareEnqueue = (parent: Command) =>
  parent
    .command('enqueue <scenario>')
    .description('queue a campaign (scenario × input file × caisse) for the fleet\'s workers, without running it here; prints its id on the last line')
    .addOption(inputOption())
    .addOption(caisseOption())
    .addOption(priorityOption())
    .addOption(notBeforeOption())
    .addOption(dryRunOption('every step but the commit: nothing will be entered, nothing recorded'))
    .addOption(redisOption())
    .addOption(configOption());

export type EnqueueOptions = OptionsOf<typeof declareEnqueue>;

export function addEnqueue(parent: Command, host: CommandHost): void {
  declareEnqueue(parent).action((scenario, o) => host.run(async (ctx) => (await import('../commands/enqueue.ts')).enqueueCommand(scenario, o, ctx)));
}
