import { pino, type Logger, type DestinationStream } from 'pino';
import { scrubber, scrubText } from './personal-data.ts';

export type { Logger } from 'pino';

/**
 * Personal data never reaches a log in clear (RGPD): these paths are censored
 * wherever a component puts them, and input rows are never logged whole. Data that
 * travels inside texts instead (a message, an error's message or stack quoting a URL
 * `?nir=…` or a back office's refusal) is caught by the patterns of {@link scrubText},
 * applied to every line written (see {@link createLogger}).
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

/**
 * One JSON line with every string value masked. Parsed rather than matched as text: JSON
 * writes a line break as a backslash and an `n`, and a NIR right after it would follow a
 * letter, which the patterns take for the end of a longer word. Numbers are left alone (pino's `time`).
 */
function scrubLine(line: string): string {
  try {
    return `${JSON.stringify(scrubber.deep(JSON.parse(line)))}\n`;
  } catch {
    // Not JSON (a custom formatter): the text patterns still apply.
    return scrubText(line);
  }
}

/**
 * The root logger; components take `.child({ module })`, dossiers `.child({ campaign, jobId, rowNumber })`.
 * Every line goes through {@link scrubText} as it is written: defence in depth behind the
 * callers, who mask a dossier's own values (names) with its scenario's scrubber, which no
 * pattern can recognise.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = typeof options.destination === 'string'
    ? pino.destination({ dest: options.destination, mkdir: true, sync: false })
    : options.destination ?? pino.destination(2);
  return pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: scrubLine },
    },
    destination,
  );
}

/** A logger that drops everything, for library users who pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
