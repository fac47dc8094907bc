import type { Command } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';
import { integer, type OptionsOf } from '../options.ts';

/** `proweb backoffice`: its options; the action is added by `addBackoffice`. */
const declareBackoffice = (parent: Command) =>
  parent
    .command('backoffice')
    .description('serve the mock back office (ameli pro, Progrès) for trying scenarios by hand')
    .option('--port <port>', 'port on 127.0.0.1', integer('--port'), 8080)
    .option('--seed <seed>', 'data seed', integer('--seed'));

export type BackofficeOptions = OptionsOf<typeof declareBackoffice>;

export function addBackoffice(parent: Command, host: CommandHost): void {
  declareBackoffice(parent).action((o) => host.run(async (ctx) => (await import('../commands/backoffice.ts')).backofficeCommand(o, ctx)));
}
