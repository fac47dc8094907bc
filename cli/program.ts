import { Command, InvalidArgumentError, Option } from 'commander';
import { InputFileError, ProwebError } from '../core/errors.ts';
import { scrubText } from '../core/personal-data.ts';
import { parseDateBound } from '../gains/index.ts';
import { Closer } from './closer.ts';
import { parseParisDateTime } from './paris-time.ts';
import { CampaignNotFound } from '../queue/index.ts';
import { createCommandContext } from './context.ts';

// Each command's module is imported when the command runs: \`proweb machines\` need not load
// Playwright, nor \`proweb worker\` the dashboard.

/** Exit codes: 0 success, 1 failure, 2 bad input (file missing or unreadable, bad arguments), 130 interrupted. */
const EXIT_BAD_INPUT = 2;

const integer = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
  return n;
};

const positive = (name: string) => (value: string) => {
  const n = Number(value.replace(/\s/g, '').replace(',', '.'));
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number greater than 0`);
  return n;
};

/** `--from` / `--to`: 2020, 2020-03, 2020-03-15 or an ISO date-time; a `--to` day, month or year is included. */
const dateBound = (edge: 'from' | 'to') => (value: string) => {
  try {
    return parseDateBound(value, edge);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

/** `--priority`: BullMQ's range, 1 taken first. */
const priority = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 2_097_152) throw new InvalidArgumentError('--priority must be a whole number from 1 (taken first) to 2097152');
  return n;
};

/** Refuses a period that ends before it starts, as a bad argument (exit code 2). */
const checkPeriod = (command: Command, o: { from?: Date; to?: Date }) => {
  if (o.from && o.to && o.from >= o.to) command.error('error: --to must come after --from', { exitCode: EXIT_BAD_INPUT, code: 'commander.invalidArgument' });
};

const closer = new Closer();
const ctx = createCommandContext(closer);
let exitCode = 0;
/** A signal interrupts a command (130), but is how a worker is meant to stop (0, as service managers expect). */
let signalExitCode = 130;

async function shutdown(code: number): Promise<never> {
  await closer.closeAll((name, error) => process.stderr.write(`warning: closing ${name} failed: ${scrubText((error as Error).message)}\n`));
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping (running dossiers finish, nothing is lost)...\n`);
    void shutdown(signalExitCode);
  });
}

const program = new Command('proweb')
  .description('Robotic process automation for public back offices.')
  .showHelpAfterError()
  .exitOverride();

program
  .command('demo')
  .description('run a DIPA payment campaign against the mock back office, end to end, and print the gains')
  .option('--concurrency <n>', 'browser contexts side by side', integer('--concurrency'))
  .option('--input <file>', 'another DIPA input file')
  .option('--no-faults', 'do not inject technical faults in the back office')
  .option('--json', 'progress as JSON lines on standard error (one per dossier), for a supervising program')
  .action(async (o: { concurrency?: number; input?: string; faults: boolean; json?: boolean }) => {
    exitCode = await (await import('./commands/demo.ts')).demoCommand({ ...(o.concurrency ? { concurrency: o.concurrency } : {}), ...(o.input ? { file: o.input } : {}), faults: o.faults, ...(o.json ? { progress: 'json' as const } : {}) }, ctx);
  });

program
  .command('run <scenario>')
  .description('run one campaign (scenario × input file × caisse) on this machine')
  .requiredOption('--input <file>', 'input file (CSV)')
  .requiredOption('--caisse <caisse>', 'caisse the campaign is for')
  .option('--config <file>', 'configuration file (JSON)')
  .option('--concurrency <n>', 'browser contexts side by side', integer('--concurrency'))
  .option('--headed', 'show the browser')
  .option('--dry-run', 'every step but the commit: nothing is entered, nothing recorded')
  .option('--json', 'progress as JSON lines on standard error (one per dossier), for a supervising program')
  .action(async (scenario: string, o: { input: string; caisse: string; config?: string; concurrency?: number; headed?: boolean; dryRun?: boolean; json?: boolean }) => {
    exitCode = await (await import('./commands/run.ts')).runCommand(scenario, o, ctx);
  });

program
  .command('validate <scenario>')
  .description('check every row of an input file against a scenario, without a browser; writes the rejected rows next to it')
  .requiredOption('--input <file>', 'input file (.csv or .xlsx)')
  .action(async (scenario: string, o: { input: string }) => {
    exitCode = await (await import('./commands/validate.ts')).validateCommand(scenario, o, ctx);
  });

program
  .command('try <scenario>')
  .description('run one dossier directly, printing each step; for authors')
  .requiredOption('--input <file>', 'input file (.csv or .xlsx)')
  .requiredOption('--row <n>', 'row number as a spreadsheet shows it (the first data row is 2)', integer('--row'))
  .option('--config <file>', 'configuration file (JSON)')
  .option('--backoffice', 'run against the mock back office started in this process')
  .option('--headed', 'show the browser')
  .option('--trace', 'keep a Playwright trace (under dataDir/traces, logins left out) to open with the trace viewer; it holds personal data: delete it after use')
  .option('--dry-run', 'every step but the commit: nothing is entered')
  .option('--profile', 'print, at the end, the time and Playwright round-trips of each step')
  .action(async (scenario: string, o: { input: string; row: number; config?: string; backoffice?: boolean; headed?: boolean; trace?: boolean; dryRun?: boolean; profile?: boolean }) => {
    exitCode = await (await import('./commands/try.ts')).tryCommand(scenario, o, ctx);
  });

program
  .command('check-screens [scenario]')
  .description('walk one dossier through each scenario (dry run) and check every field of every screen it reaches')
  .requiredOption('--input <files...>', 'input files; each scenario walks the first valid row it finds in them')
  .option('--config <file>', 'configuration file (JSON)')
  .option('--backoffice', 'check against the mock back office started in this process')
  .action(async (scenario: string | undefined, o: { input: string[]; config?: string; backoffice?: boolean }) => {
    exitCode = await (await import('./commands/check-screens.ts')).checkScreensCommand(scenario, o, ctx);
  });

program
  .command('map <application> <path>')
  .description('log in, open a screen and print a screen-map entry (labels, buttons, links, alerts, tables) read from its accessibility tree, ready to paste')
  .option('--config <file>', 'configuration file (JSON)')
  .option('--backoffice', 'read the screen of the mock back office started in this process')
  .option('--headed', 'show the browser')
  .option('--name <screen>', "the screen's name in the entry (default: from its path)")
  .action(async (application: string, path: string, o: { config?: string; backoffice?: boolean; headed?: boolean; name?: string }) => {
    exitCode = await (await import('./commands/map.ts')).mapCommand(application, path, o, ctx);
  });

program
  .command('new <scenario>')
  .description('write a first scenario for an application, a sample input file and an end-to-end test that passes against the mock back office')
  .requiredOption('--application <id>', 'the application the scenario drives')
  .option('--sample <file>', 'where to write the sample input file (default input/<scenario>-sample.csv)')
  .action(async (scenario: string, o: { application: string; sample?: string }) => {
    exitCode = await (await import('./commands/new.ts')).newCommand(scenario, o, ctx);
  });

program
  .command('backoffice')
  .description('serve the mock back office (ameli pro, Progrès) for trying scenarios by hand')
  .option('--port <port>', 'port on 127.0.0.1', integer('--port'), 8080)
  .option('--seed <seed>', 'data seed', integer('--seed'))
  .action(async (o: { port: number; seed?: number }) => {
    exitCode = await (await import('./commands/backoffice.ts')).backofficeCommand(o, ctx);
  });

program
  .command('report')
  .description('dossiers, hours saved, ETP, robot hours, success rate and growth from the gain ledger; ETP is a rate: hours saved ÷ (hours per ETP × the period\'s length in years)')
  .option('--config <file>', 'configuration file (JSON)')
  .option('--from <date>', 'start of the period (2020, 2020-03 or 2020-03-15, UTC); growth is against the period of the same length before it', dateBound('from'))
  .option('--to <date>', 'end of the period, included (2020, 2020-12 or 2020-12-31)', dateBound('to'))
  .addOption(new Option('--by <grouping>', 'group rows by').choices(['scenario', 'caisse', 'machine', 'month', 'year']).default('scenario'))
  .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json', 'html']).default('table'))
  .option('--out <file>', 'write the report to this file instead of standard output')
  .option('--hours-per-etp <hours>', 'hours saved in a year that make one full-time person (default 1365)', positive('--hours-per-etp'))
  .option('--ledger-file <file>', 'read a ledger export (.csv or .jsonl) instead of Redis')
  .action(async (o: { config?: string; by: 'scenario'; format: 'table'; out?: string; from?: Date; to?: Date; hoursPerEtp?: number; ledgerFile?: string }, command: Command) => {
    checkPeriod(command, o);
    exitCode = await (await import('./commands/report.ts')).reportCommand(o, ctx);
  });

const ledgerCommand = program.command('ledger').description('the gain ledger kept in Redis');
ledgerCommand
  .command('export')
  .description('write the ledger entries (of a period) to a CSV or JSON lines file, for archiving')
  .addOption(new Option('--format <format>', 'file format').choices(['csv', 'jsonl']).makeOptionMandatory())
  .requiredOption('--out <file>', 'file to write')
  .option('--from <date>', 'first day (2020, 2020-03 or 2020-03-15, UTC)', dateBound('from'))
  .option('--to <date>', 'last day, included', dateBound('to'))
  .option('--config <file>', 'configuration file (JSON)')
  .action(async (o: { format: 'csv' | 'jsonl'; out: string; from?: Date; to?: Date; config?: string }, command: Command) => {
    checkPeriod(command, o);
    exitCode = await (await import('./commands/ledger.ts')).ledgerExportCommand(o, ctx);
  });

program
  .command('worker')
  .description('a robot machine of the fleet: runs dossiers from the shared Redis until SIGTERM or SIGINT')
  .option('--redis <url>', 'a Redis without password (redis://host:port[/db]); a URL with a password goes in REDIS_URL or a file (REDIS_URL_FILE), never on the command line')
  .option('--scenarios <ids>', 'comma-separated scenarios this machine may run (default: all)', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .option('--concurrency <n>', 'browser contexts side by side', integer('--concurrency'))
  .option('--name <machine>', 'name of this machine in the ledger and `proweb machines` (default: the host name)')
  .option('--grace <seconds>', 'on SIGTERM, how long running dossiers may take before they are handed back (default 60)', integer('--grace'))
  .option('--no-drops', 'do not submit scheduled file drops on this machine (it may not see the shared folder)')
  .option('--config <file>', 'configuration file (JSON)')
  .action(async (o: { redis?: string; scenarios?: string[]; concurrency?: number; name?: string; grace?: number; drops: boolean; config?: string }) => {
    signalExitCode = 0;
    exitCode = await (await import('./commands/worker.ts')).workerCommand({ ...o, ...(o.grace !== undefined ? { graceSeconds: o.grace } : {}) }, ctx);
  });

const scheduleCommand = program.command('schedule').description('repeatable campaigns (a nightly file drop), on BullMQ job schedulers');
scheduleCommand
  .command('add <name> <scenario>')
  .description('submit this file as a campaign at each occurrence of a cron pattern (a worker of the fleet does it)')
  .requiredOption('--input <file>', 'the file the export lands in (a path every robot machine sees)')
  .requiredOption('--caisse <name>', 'the caisse the campaign is for')
  .requiredOption('--cron <pattern>', 'when: minute hour day-of-month month day-of-week, e.g. "30 2 * * 1-5"')
  .option('--tz <zone>', 'time zone of the pattern (default Europe/Paris)')
  .option('--priority <p>', '1 (taken first) to 2097152; campaigns without one have 1000', priority)
  .option('--redis <url>', 'the shared Redis; else REDIS_URL')
  .option('--config <file>', 'configuration file (JSON)')
  .action(async (name: string, scenario: string, o: { input: string; caisse: string; cron: string; tz?: string; priority?: number; redis?: string; config?: string }) => {
    exitCode = await (await import('./commands/schedule.ts')).scheduleAddCommand(name, scenario, o, ctx);
  });
scheduleCommand
  .command('list')
  .description('the scheduled campaigns and their next occurrence')
  .option('--redis <url>', 'the shared Redis; else REDIS_URL')
  .option('--config <file>', 'configuration file (JSON)')
  .action(async (o: { redis?: string; config?: string }) => {
    exitCode = await (await import('./commands/schedule.ts')).scheduleListCommand(o, ctx);
  });
scheduleCommand
  .command('remove <name>')
  .description('stop a scheduled campaign')
  .option('--redis <url>', 'the shared Redis; else REDIS_URL')
  .option('--config <file>', 'configuration file (JSON)')
  .action(async (name: string, o: { redis?: string; config?: string }) => {
    exitCode = await (await import('./commands/schedule.ts')).scheduleRemoveCommand(name, o, ctx);
  });

program
  .command('machines')
  .description('robot machines online: what they run, dossiers done in the last hour, when each was last seen')
  .option('--redis <url>', 'the shared Redis; else REDIS_URL')
  .option('--all', 'also machines that stopped or went silent')
  .option('--json', 'as JSON')
  .option('--config <file>', 'configuration file (JSON)')
  .action(async (o: { redis?: string; all?: boolean; json?: boolean; config?: string }) => {
    exitCode = await (await import('./commands/machines.ts')).machinesCommand(o, ctx);
  });

program
  .command('dashboard')
  .description('bull-board for the queues, on this machine only, behind the credentials of the configuration (dashboard.*)')
  .option('--config <file>', 'configuration file (JSON) with dashboard.username and dashboard.passwordEnv')
  .option('--port <n>', 'port on the loopback address (default: dashboard.port, 3030)', integer('--port'))
  .action(async (o: { config?: string; port?: number }) => {
    // Stopping it with a signal is its normal end.
    signalExitCode = 0;
    exitCode = await (await import('./commands/dashboard.ts')).dashboardCommand(o, ctx);
  });

/** `--not-before`: dd/mm/yyyy HH:MM (Paris time) or an ISO date-time. */
const notBefore = (value: string) => {
  try {
    return parseParisDateTime(value);
  } catch (error) {
    const e = error as ProwebError;
    throw new InvalidArgumentError(`${e.message}${e.hint ? `. ${e.hint}` : ''}`);
  }
};

program
  .command('enqueue <scenario>')
  .description('queue a campaign (scenario × input file × caisse) for the fleet\'s workers, without running it here; prints its id on the last line')
  .requiredOption('--input <file>', 'input file (.csv or .xlsx)')
  .requiredOption('--caisse <caisse>', 'caisse the campaign is for')
  .option('--priority <p>', '1 (taken first) to 2097152; campaigns without one have 1000', priority)
  .option('--not-before <time>', 'no dossier taken before then: dd/mm/yyyy HH:MM (Paris time) or an ISO date-time', notBefore)
  .option('--dry-run', 'every step but the commit: nothing will be entered, nothing recorded')
  .option('--redis <url>', 'the shared Redis; else REDIS_URL')
  .option('--config <file>', 'configuration file (JSON)')
  .action(async (scenario: string, o: { input: string; caisse: string; priority?: number; notBefore?: Date; dryRun?: boolean; config?: string; redis?: string }) => {
    exitCode = await (await import('./commands/enqueue.ts')).enqueueCommand(scenario, o, ctx);
  });

const campaignCommand = program.command('campaign').description('follow, pause, resume or cancel a queued campaign, and get its work list');
campaignCommand
  .command('list')
  .description('recent campaigns, newest first, one line each')
  .option('--limit <n>', 'how many (default 20)', integer('--limit'))
  .option('--json', 'as JSON')
  .option('--redis <url>', 'the shared Redis; else REDIS_URL')
  .option('--config <file>', 'configuration file (JSON)')
  .action(async (o: { limit?: number; json?: boolean; config?: string; redis?: string }) => {
    exitCode = await (await import('./commands/campaign.ts')).campaignListCommand(o, ctx);
  });
campaignCommand
  .command('status <id>')
  .description('state, dossiers by state and estimated end of a campaign')
  .option('--json', 'as JSON, for a program')
  .option('--redis <url>', 'the shared Redis; else REDIS_URL')
  .option('--config <file>', 'configuration file (JSON)')
  .action(async (id: string, o: { json?: boolean; config?: string; redis?: string }) => {
    exitCode = await (await import('./commands/campaign.ts')).campaignStatusCommand(id, o, ctx);
  });
campaignCommand
  .command('pause <id>')
  .description('stop taking the campaign\'s dossiers (running ones finish)')
  .option('--redis <url>', 'the shared Redis; else REDIS_URL')
  .option('--config <file>', 'configuration file (JSON)')
  .action(async (id: string, o: { config?: string; redis?: string }) => {
    exitCode = await (await import('./commands/campaign.ts')).campaignPauseCommand(id, o, ctx);
  });
campaignCommand
  .command('resume <id>')
  .description('take the dossiers of a paused campaign again')
  .option('--redis <url>', 'the shared Redis; else REDIS_URL')
  .option('--config <file>', 'configuration file (JSON)')
  .action(async (id: string, o: { config?: string; redis?: string }) => {
    exitCode = await (await import('./commands/campaign.ts')).campaignResumeCommand(id, o, ctx);
  });
campaignCommand
  .command('cancel <id>')
  .description('remove the campaign\'s queued dossiers (running ones finish; done ones stay done)')
  .option('--redis <url>', 'the shared Redis; else REDIS_URL')
  .option('--config <file>', 'configuration file (JSON)')
  .action(async (id: string, o: { config?: string; redis?: string }) => {
    exitCode = await (await import('./commands/campaign.ts')).campaignCancelCommand(id, o, ctx);
  });
campaignCommand
  .command('rejects <id>')
  .description('write the human work list: every rejected or failed dossier with its row, reason and columns (CSV for Excel)')
  .requiredOption('--out <file>', 'CSV file to write')
  .option('--input <file>', 'your copy of the campaign\'s input file, read for the rows\' columns (default: the path it was submitted with)')
  .option('--ledger-file <folder>', 'the ledger archive folder (default: folders.ledgerArchive), read once the campaign\'s work list has expired from Redis')
  .option('--redis <url>', 'the shared Redis; else REDIS_URL')
  .option('--config <file>', 'configuration file (JSON)')
  .action(async (id: string, o: { out: string; input?: string; ledgerFile?: string; config?: string; redis?: string }) => {
    exitCode = await (await import('./commands/campaign.ts')).campaignRejectsCommand(id, o, ctx);
  });

const applicationCommand = program.command('application').description('the back-office applications: which are paused for the fleet (a refused login), and resume them');
applicationCommand
  .command('list')
  .description('the applications the scenarios use; for a paused one: why, since when, on which machine, and what to do')
  .option('--json', 'as JSON')
  .option('--redis <url>', 'the shared Redis; else REDIS_URL')
  .option('--config <file>', 'configuration file (JSON)')
  .action(async (o: { json?: boolean; config?: string; redis?: string }) => {
    exitCode = await (await import('./commands/application.ts')).applicationListCommand(o, ctx);
  });
applicationCommand
  .command('resume <id>')
  .description('once its credentials are fixed: clear an application\'s pause and wake the dossiers parked under it')
  .option('--redis <url>', 'the shared Redis; else REDIS_URL')
  .option('--config <file>', 'configuration file (JSON)')
  .action(async (id: string, o: { config?: string; redis?: string }) => {
    exitCode = await (await import('./commands/application.ts')).applicationResumeCommand(id, o, ctx);
  });

program
  .command('purge')
  .description('apply the retention of the configuration: remove old evidence, traces, rejection files and ended jobs; prints what it removed')
  .option('--dry-run', 'say what would be removed, remove nothing')
  .option('--redis <url>', 'the shared Redis; else REDIS_URL')
  .option('--config <file>', 'configuration file (JSON)')
  .action(async (o: { dryRun?: boolean; redis?: string; config?: string }) => {
    exitCode = await (await import('./commands/purge.ts')).purgeCommand(o, ctx);
  });

program
  .command('scenarios')
  .description('list the scenarios this installation can run')
  .action(async () => {
    exitCode = await (await import('./commands/scenarios.ts')).scenariosCommand(ctx);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const commanderCode = (error as { code?: string }).code;
  if (commanderCode?.startsWith('commander.')) {
    exitCode = commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version' ? 0 : EXIT_BAD_INPUT;
  } else if (error instanceof ProwebError) {
    // One line a human can act on: what went wrong, then what to do.
    process.stderr.write(`error: ${scrubText(error.message)}${error.hint ? ` (${error.hint})` : ''}\n`);
    exitCode = error instanceof InputFileError || error instanceof CampaignNotFound ? EXIT_BAD_INPUT : 1;
  } else {
    process.stderr.write(`error: ${scrubText((error as Error)?.stack ?? String(error))}\n`);
    exitCode = 1;
  }
}
await shutdown(exitCode);
