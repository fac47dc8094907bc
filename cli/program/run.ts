import type { Command } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';
import { caisseOption, concurrencyOption, configOption, dryRunOption, headedOption, inputOption, JSON_PROGRESS, jsonOption, type OptionsOf } from '../options.ts';

/** `proweb run <scenario>`: its arguments and options; the action is added by `addRun`. */
const declareRun = (parent: Command) =>
  parent
    .command('run <scenario>')
    .description('run one campaign (scenario × input file × caisse) on this machine')
    .addOption(inputOption('input file (CSV)'))
    .addOption(caisseOption())
    .addOption(configOption())
    .addOption(concurrencyOption())
    .addOption(headedOption())
    .addOption(dryRunOption('every step but the commit: nothing is entered, nothing recorded'))
    .addOption(jsonOption(JSON_PROGRESS));

export type RunOptions = OptionsOf<typeof declareRun>;

export function addRun(parent: Command, host: CommandHost): void {
  declareRun(parent).action((scenario, o) => host.run(async (ctx) => (await import('../commands/run.ts')).runCommand(scenario, o, ctx)));
}
