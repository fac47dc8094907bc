import type { Command } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';
import type { OptionsOf } from '../options.ts';

/** `proweb new <scenario>`: its arguments and options; the action is added by `addNew`. */
const declareNew = (parent: Command) =>
  parent
    .command('new <scenario>')
    .description('write a first scenario for an application, a sample input file and an end-to-end test that passes against the mock back office')
    .requiredOption('--application <id>', 'the application the scenario drives')
    .option('--sample <file>', 'where to write the sample input file (default input/<scenario>-sample.csv)');

export type NewOptions = OptionsOf<typeof declareNew>;

export function addNew(parent: Command, host: CommandHost): void {
  declareNew(parent).action((scenario, o) => host.run(async (ctx) => (await import('../commands/new.ts')).newCommand(scenario, o, ctx)));
}
