import type { Command } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';
import { backofficeOption, configOption, headedOption, type OptionsOf } from '../options.ts';

/** `proweb map <application> <path>`: its arguments and options; the action is added by `addMap`. */
const declareMap = (parent: Command) =>
  parent
    .command('map <application> <path>')
    .description('log in, open a screen and print a screen-map entry (labels, buttons, links, alerts, tables) read from its accessibility tree, ready to paste')
    .addOption(configOption())
    .addOption(backofficeOption('read the screen of the mock back office started in this process'))
    .addOption(headedOption())
    .option('--name <screen>', "the screen's name in the entry (default: from its path)");

export type MapOptions = OptionsOf<typeof declareMap>;

export function addMap(parent: Command, host: CommandHost): void {
  declareMap(parent).action((application, path, o) => host.run(async (ctx) => (await import('../commands/map.ts')).mapCommand(application, path, o, ctx)));
}
