import type { Command } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';
import { concurrencyOption, configOption, integer, type OptionsOf, redisOption } from '../options.ts';

/** `proweb worker`: its options; the action is added by `addWorker`. */
const declareWorker = (parent: Command) =>
  parent
    .command('worker')
    .description('a robot machine of the fleet: runs dossiers from the shared Redis until SIGTERM or SIGINT')
    .addOption(redisOption('a Redis without password (redis://host:port[/db]); a URL with a password goes in REDIS_URL or a file (REDIS_URL_FILE), never on the command line'))
    // Default: every scenario of the catalogue.
    .option('--scenarios <ids>', 'comma-separated scenarios this machine may run (default: all)', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .addOption(concurrencyOption())
    // Default: config.machine, else the host name.
    .option('--name <machine>', 'name of this machine in the ledger and `proweb machines` (default: the host name)')
    // Default: config.worker.gracePeriodMs.
    .option('--grace <seconds>', 'on SIGTERM, how long running dossiers may take before they are handed back (default 60)', integer('--grace'))
    .option('--no-drops', 'do not submit scheduled file drops on this machine (it may not see the shared folder)')
    .addOption(configOption());

export type WorkerOptions = OptionsOf<typeof declareWorker>;

export function addWorker(parent: Command, host: CommandHost): void {
  declareWorker(parent).action((o) => {
    host.stopsOnSignal();
    return host.run(async (ctx) => (await import('../commands/worker.ts')).workerCommand(o, ctx));
  });
}
