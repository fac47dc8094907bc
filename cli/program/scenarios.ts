import type { Command } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';

/** `proweb scenarios`: no option. */
export function addScenarios(parent: Command, host: CommandHost): void {
  parent
    .command('scenarios')
    .description('list the scenarios this installation can run')
    .action(() => host.run(async (ctx) => (await import('../commands/scenarios.ts')).scenariosCommand(ctx)));
}
