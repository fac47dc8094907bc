import type { Command } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';
import { backofficeOption, configOption, type OptionsOf } from '../options.ts';

/** `proweb check-screens [scenario]`: its arguments and options; the action is added by `addCheckScreens`. */
const declareCheckScreens = (parent: Command) =>
  parent
    .command('check-screens [scenario]')
    .description('walk one dossier through each scenario (dry run) and check every field of every screen it reaches')
    // Several files check several scenarios in one go, each walking the first row valid for it.
    .requiredOption('--input <files...>', 'input files; each scenario walks the first valid row it finds in them')
    .addOption(configOption())
    .addOption(backofficeOption('check against the mock back office started in this process'));

export type CheckScreensOptions = OptionsOf<typeof declareCheckScreens>;

export function addCheckScreens(parent: Command, host: CommandHost): void {
  declareCheckScreens(parent).action((scenario, o) => host.run(async (ctx) => (await import('../commands/check-screens.ts')).checkScreensCommand(scenario, o, ctx)));
}
