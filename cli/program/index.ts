/**
 * The `proweb` command line, declared: each command in its module here, with its options (the
 * shared ones from cli/options.ts). A command's action imports its implementation,
 * cli/commands/<command>.ts, when the command runs: `proweb machines` need not load
 * Playwright, nor `proweb worker` the dashboard.
 */
import { Command } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';
import { addApplication } from './application.ts';
import { addBackoffice } from './backoffice.ts';
import { addCampaign } from './campaign.ts';
import { addCheckScreens } from './check-screens.ts';
import { addDashboard } from './dashboard.ts';
import { addDemo } from './demo.ts';
import { addEnqueue } from './enqueue.ts';
import { addLedger } from './ledger.ts';
import { addMachines } from './machines.ts';
import { addMap } from './map.ts';
import { addNew } from './new.ts';
import { addPurge } from './purge.ts';
import { addReport } from './report.ts';
import { addRun } from './run.ts';
import { addScenarios } from './scenarios.ts';
import { addSchedule } from './schedule.ts';
import { addTry } from './try.ts';
import { addValidate } from './validate.ts';
import { addWorker } from './worker.ts';

/** The commands, in the order `proweb --help` lists them. */
const COMMANDS = [
  addDemo, addRun, addValidate, addTry, addCheckScreens, addMap, addNew, addBackoffice, addReport, addLedger,
  addWorker, addSchedule, addMachines, addDashboard, addEnqueue, addCampaign, addApplication, addPurge, addScenarios,
] as const;

/**
 * The program with every command. It throws a `CommanderError` instead of exiting (the caller
 * turns it into an exit code), and shows the usage after a bad argument.
 */
export function declareProgram(host: CommandHost): Command {
  const program = new Command('proweb')
    .description('Robotic process automation for public back offices.')
    .showHelpAfterError()
    .exitOverride();
  for (const add of COMMANDS) add(program, host);
  return program;
}
