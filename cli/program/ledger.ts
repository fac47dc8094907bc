import { type Command, Option } from '@commander-js/extra-typings';
import type { LedgerFileFormat } from '../../gains/index.ts';
import type { CommandHost } from '../context.ts';
import { checkPeriod, configOption, fromOption, type OptionsOf, toOption } from '../options.ts';

const FORMATS = ['csv', 'jsonl'] as const satisfies readonly LedgerFileFormat[];

/** `proweb ledger export`: its options; the action is added by `addLedger`. */
const declareLedgerExport = (ledger: Command) =>
  ledger
    .command('export')
    .description('write the ledger entries (of a period) to a CSV or JSON lines file, for archiving')
    .addOption(new Option('--format <format>', 'file format').choices(FORMATS).makeOptionMandatory())
    .requiredOption('--out <file>', 'file to write')
    .addOption(fromOption('first day (2020, 2020-03 or 2020-03-15, UTC)'))
    .addOption(toOption('last day, included'))
    .addOption(configOption());

export type LedgerExportOptions = OptionsOf<typeof declareLedgerExport>;

/** `proweb ledger` and its subcommand. */
export function addLedger(parent: Command, host: CommandHost): void {
  const ledger = parent.command('ledger').description('the gain ledger kept in Redis');
  declareLedgerExport(ledger).action(async (o, command) => {
    checkPeriod(command, o);
    await host.run(async (ctx) => (await import('../commands/ledger.ts')).ledgerExportCommand(o, ctx));
  });
}
