/**
 * The options several commands share, each declared once, and the parsers of option values.
 * Declared with `@commander-js/extra-typings`: a command built from them knows its options'
 * types, and a command's implementation takes them from its declaration (`OptionsOf`), so an
 * option's type is never written by hand. Each function makes a new `Option`, as an option
 * belongs to one command; a description differs where the commands' help texts differ.
 */
import { type CommandUnknownOpts, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import type { ProwebError } from '../core/errors.ts';
// Not gains/index.ts: that loads the ledger and its Redis client, which declaring the options does not need.
import { parseDateBound } from '../gains/period.ts';
import { parseParisDateTime } from './paris-time.ts';

/** Exit codes: 0 success, 1 failure, 2 bad input (file missing or unreadable, bad arguments), 130 interrupted. */
export const EXIT_BAD_INPUT = 2;

/** The options a command's action receives, from the function that declares the command (its options, not its action). */
export type OptionsOf<Declare extends (...args: never[]) => { opts(): object }> = ReturnType<ReturnType<Declare>['opts']>;

// Parsers: a bad value is a bad argument (exit code 2), with the usage after it.

/** A whole number, 0 or more. */
export const integer = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
  return n;
};

/** A number greater than 0; a French decimal comma and spaces between digits are taken. */
export const positive = (name: string) => (value: string): number => {
  const n = Number(value.replace(/\s/g, '').replace(',', '.'));
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number greater than 0`);
  return n;
};

/** `--from` / `--to`: 2020, 2020-03, 2020-03-15 or an ISO date-time; a `--to` day, month or year is included. */
const dateBound = (edge: 'from' | 'to') => (value: string): Date => {
  try {
    return parseDateBound(value, edge);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

/** `--priority`: BullMQ's range, 1 taken first. */
const priority = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 2_097_152) throw new InvalidArgumentError('--priority must be a whole number from 1 (taken first) to 2097152');
  return n;
};

/** `--not-before`: dd/mm/yyyy HH:MM (Paris time) or an ISO date-time. */
const notBefore = (value: string): Date => {
  try {
    return parseParisDateTime(value);
  } catch (error) {
    const e = error as ProwebError;
    throw new InvalidArgumentError(`${e.message}${e.hint ? `. ${e.hint}` : ''}`);
  }
};

// The shared options.

/** `--config <file>`: the configuration file; without it, the defaults and the environment. */
export const configOption = (description = 'configuration file (JSON)') => new Option('--config <file>', description);

/** `--redis <url>`: the shared Redis; wins over REDIS_URL and the configuration. */
export const redisOption = (description = 'the shared Redis; else REDIS_URL') => new Option('--redis <url>', description);

/** `--json`: the output as JSON, for a program. */
export const jsonOption = (description = 'as JSON') => new Option('--json', description);

/** `--json` of the commands that run a campaign here: the progress, one JSON line a dossier. */
export const JSON_PROGRESS = 'progress as JSON lines on standard error (one per dossier), for a supervising program';

/** `--dry-run`: every step but the commit (or, for `purge`, nothing removed); what is spared is the command's to say. */
export const dryRunOption = (description: string) => new Option('--dry-run', description);

/** `--input <file>`: the input file (.csv or .xlsx), required but for a command that can find it elsewhere. */
export const inputOption = (description = 'input file (.csv or .xlsx)') => new Option('--input <file>', description).makeOptionMandatory();

/** `--caisse <caisse>`: the caisse a campaign is for. */
export const caisseOption = () => new Option('--caisse <caisse>', 'caisse the campaign is for').makeOptionMandatory();

/** `--concurrency <n>`: browser contexts side by side. @defaultValue the configuration's `concurrency` */
export const concurrencyOption = () => new Option('--concurrency <n>', 'browser contexts side by side').argParser(integer('--concurrency'));

/** `--headed`: a visible browser, for an author. */
export const headedOption = () => new Option('--headed', 'show the browser');

/** `--backoffice`: the mock back office, started in this process, instead of the configuration's applications. */
export const backofficeOption = (description: string) => new Option('--backoffice', description);

/** `--priority <p>`: BullMQ's priority of a campaign's dossiers. */
export const priorityOption = () => new Option('--priority <p>', '1 (taken first) to 2097152; campaigns without one have 1000').argParser(priority);

/** `--not-before <time>`: the time before which no dossier of a campaign is taken. */
export const notBeforeOption = () => new Option('--not-before <time>', 'no dossier taken before then: dd/mm/yyyy HH:MM (Paris time) or an ISO date-time').argParser(notBefore);

/** `--from <date>`: the start of a period (UTC). */
export const fromOption = (description: string) => new Option('--from <date>', description).argParser(dateBound('from'));

/** `--to <date>`: the end of a period, included (UTC). */
export const toOption = (description: string) => new Option('--to <date>', description).argParser(dateBound('to'));

/** Refuses a period that ends before it starts, as a bad argument (exit code 2): with `--from` and `--to`, in the action. */
export function checkPeriod(command: CommandUnknownOpts, o: { from?: Date; to?: Date }): void {
  if (o.from && o.to && o.from >= o.to) command.error('error: --to must come after --from', { exitCode: EXIT_BAD_INPUT, code: 'commander.invalidArgument' });
}
