import type { Command } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';
import { backofficeOption, configOption, dryRunOption, headedOption, inputOption, integer, type OptionsOf } from '../options.ts';

/** `proweb try <scenario>`: its arguments and options; the action is added by `addTry`. */
const declareTry = (parent: Command) =>
  parent
    .command('try <scenario>')
    .description('run one dossier directly, printing each step; for authors')
    .addOption(inputOption())
    .requiredOption('--row <n>', 'row number as a spreadsheet shows it (the first data row is 2)', integer('--row'))
    .addOption(configOption())
    .addOption(backofficeOption('run against the mock back office started in this process'))
    .addOption(headedOption())
    .option('--trace', 'keep a Playwright trace (under dataDir/traces, logins left out) to open with the trace viewer; it holds personal data: delete it after use')
    .addOption(dryRunOption('every step but the commit: nothing is entered'))
    .option('--profile', 'print, at the end, the time and Playwright round-trips of each step');

export type TryOptions = OptionsOf<typeof declareTry>;

export function addTry(parent: Command, host: CommandHost): void {
  declareTry(parent).action((scenario, o) => host.run(async (ctx) => (await import('../commands/try.ts')).tryCommand(scenario, o, ctx)));
}
