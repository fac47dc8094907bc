import type { Command } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';
import { configOption, integer, type OptionsOf } from '../options.ts';

/** `proweb dashboard`: its options; the action is added by `addDashboard`. */
const declareDashboard = (parent: Command) =>
  parent
    .command('dashboard')
    .description('bull-board for the queues, on this machine only, behind the credentials of the configuration (dashboard.*)')
    .addOption(configOption('configuration file (JSON) with dashboard.username and dashboard.passwordEnv'))
    .option('--port <n>', 'port on the loopback address (default: dashboard.port, 3030)', integer('--port'));

export type DashboardOptions = OptionsOf<typeof declareDashboard>;

export function addDashboard(parent: Command, host: CommandHost): void {
  declareDashboard(parent).action((o) => {
    host.stopsOnSignal();
    return host.run(async (ctx) => (await import('../commands/dashboard.ts')).dashboardCommand(o, ctx));
  });
}
