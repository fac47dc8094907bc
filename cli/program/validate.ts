import type { Command } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';
import { inputOption, type OptionsOf } from '../options.ts';

/** `proweb validate <scenario>`: its arguments and options; the action is added by `addValidate`. */
const declareValidate = (parent: Command) =>
  parent
    .command('validate <scenario>')
    .description('check every row of an input file against a scenario, without a browser; writes the rejected rows next to it')
    .addOption(inputOption());

export type ValidateOptions = OptionsOf<typeof declareValidate>;

export function addValidate(parent: Command, host: CommandHost): void {
  declareValidate(parent).action((scenario, o) => host.run(async (ctx) => (await import('../commands/validate.ts')).validateCommand(scenario, o, ctx)));
}
