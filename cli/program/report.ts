import { type Command, Option } from '@commander-js/extra-typings';
import type { GainGrouping, GainReportFormat } from '../../gains/index.ts';
import type { CommandHost } from '../context.ts';
import { checkPeriod, configOption, fromOption, type OptionsOf, positive, toOption } from '../options.ts';

const GROUPINGS = ['scenario', 'caisse', 'machine', 'month', 'year'] as const satisfies readonly GainGrouping[];
const FORMATS = ['table', 'csv', 'json', 'html'] as const satisfies readonly GainReportFormat[];

/** `proweb report`: its options; the action is added by `addReport`. */
const declareReport = (parent: Command) =>
  parent
    .command('report')
    .description('dossiers, hours saved, ETP, robot hours, success rate and growth from the gain ledger; ETP is a rate: hours saved ÷ (hours per ETP × the period\'s length in years)')
    .addOption(configOption())
    .addOption(fromOption('start of the period (2020, 2020-03 or 2020-03-15, UTC); growth is against the period of the same length before it'))
    .addOption(toOption('end of the period, included (2020, 2020-12 or 2020-12-31)'))
    .addOption(new Option('--by <grouping>', 'group rows by').choices(GROUPINGS).default('scenario'))
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table'))
    .option('--out <file>', 'write the report to this file instead of standard output')
    .option('--hours-per-etp <hours>', 'hours saved in a year that make one full-time person (default 1365)', positive('--hours-per-etp'))
    .option('--ledger-file <file>', 'read a ledger export (.csv or .jsonl) instead of Redis');

export type ReportOptions = OptionsOf<typeof declareReport>;

export function addReport(parent: Command, host: CommandHost): void {
  declareReport(parent).action(async (o, command) => {
    checkPeriod(command, o);
    await host.run(async (ctx) => (await import('../commands/report.ts')).reportCommand(o, ctx));
  });
}
