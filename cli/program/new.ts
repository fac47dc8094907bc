import { type Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';
import type { OptionsOf } from '../options.ts';
import { isStarterApplication, noStarterReason, STARTER_APPLICATIONS, type StarterApplication } from '../scenario-starters/applications.ts';

/** `--application`: one with a starter; another (ameli pro, read-only; a typo) is a bad argument (exit code 2) that names those there are. */
const application = (value: string): StarterApplication => {
  if (!isStarterApplication(value)) throw new InvalidArgumentError(`${noStarterReason(value)}.`);
  return value;
};

/** `proweb new <scenario>`: its arguments and options; the action is added by `addNew`. */
const declareNew = (parent: Command) =>
  parent
    .command('new <scenario>')
    .description('write a first scenario for an application, a sample input file and an end-to-end test that passes against the mock back office')
    .addOption(new Option('--application <id>', `the application the scenario drives: ${STARTER_APPLICATIONS.join(', ')}`).argParser(application).makeOptionMandatory())
    .option('--sample <file>', 'where to write the sample input file (default input/<scenario>-sample.csv)');

export type NewOptions = OptionsOf<typeof declareNew>;

export function addNew(parent: Command, host: CommandHost): void {
  declareNew(parent).action((scenario, o) => host.run(async (ctx) => (await import('../commands/new.ts')).newCommand(scenario, o, ctx)));
}
