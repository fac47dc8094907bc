import type { Command } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';
import { configOption, jsonOption, type OptionsOf, redisOption } from '../options.ts';

/** `proweb application list`: its options. */
const declareApplicationList = (application: Command) =>
  application
    .command('list')
    .description('the applications the scenarios use; for a paused one: why, since when, on which machine, and what to do')
    .addOption(jsonOption())
    .addOption(redisOption())
    .addOption(configOption());

/** `proweb application resume <id>`: its arguments and options. */
const declareApplicationResume = (application: Command) =>
  application
    .command('resume <id>')
    .description('once its credentials are fixed: clear an application\'s pause and wake the dossiers parked under it')
    .addOption(redisOption())
    .addOption(configOption());

export type ApplicationListOptions = OptionsOf<typeof declareApplicationList>;
export type ApplicationResumeOptions = OptionsOf<typeof declareApplicationResume>;

/** `proweb application` and its subcommands. */
export function addApplication(parent: Command, host: CommandHost): void {
  const application = parent.command('application').description('the back-office applications: which are paused for the fleet (a refused login), and resume them');
  const implementation = () => import('../commands/application.ts');
  declareApplicationList(application).action((o) => host.run(async (ctx) => (await implementation()).applicationListCommand(o, ctx)));
  declareApplicationResume(application).action((id, o) => host.run(async (ctx) => (await implementation()).applicationResumeCommand(id, o, ctx)));
}
