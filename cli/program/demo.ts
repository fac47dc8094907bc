import type { Command } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';
import { concurrencyOption, inputOption, JSON_PROGRESS, jsonOption, type OptionsOf } from '../options.ts';

/** `proweb demo` (and `npm run demo`): its options; the action is added by `addDemo`. */
const declareDemo = (parent: Command) =>
  parent
    .command('demo')
    .description('run a DIPA payment campaign against the mock back office, end to end, and print the gains')
    .addOption(concurrencyOption())
    .addOption(inputOption('another DIPA input file').makeOptionMandatory(false))
    .option('--no-faults', 'do not inject technical faults in the back office')
    .addOption(jsonOption(JSON_PROGRESS));

export type DemoOptions = OptionsOf<typeof declareDemo>;

export function addDemo(parent: Command, host: CommandHost): void {
  declareDemo(parent).action((o) => host.run(async (ctx) => (await import('../commands/demo.ts')).demoCommand(o, ctx)));
}
