import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/**
 * Personal data never reaches a log in clear (RGPD): these paths are censored
 * wherever a component puts them, and input rows are never logged whole.
 */
export const REDACTED_PATHS = [
  'password', '*.password', 'motdepasse', '*.motdepasse',
  'nir', '*.nir', 'iban', '*.iban', 'name', '*.name', 'nom', '*.nom',
  'lastName', '*.lastName', 'firstName', '*.firstName', 'row', '*.row', 'value', '*.value',
];

export interface LoggerOptions {
  /** @defaultValue 'info' */
  level?: string;
  /** Where JSON lines go; a file path, or a stream. @defaultValue standard error */
  destination?: string | DestinationStream;
}

/** The root logger; components take `.child({ module })`, dossiers `.child({ campaign, jobId, rowNumber })`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = typeof options.destination === 'string'
    ? pino.destination({ dest: options.destination, mkdir: true, sync: false })
    : options.destination ?? pino.destination(2);
  return pino(
    { level: options.level ?? 'info', base: { pid: process.pid }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    destination,
  );
}

/** A logger that drops everything, for library users who pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
