import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { InputFileError } from '../core/errors.ts';
import { ledgerEntrySchema, type LedgerEntry } from './ledger-entry.ts';
import { finishedWithin, type Period } from './period.ts';
import { csvLines, readCsvCell } from '../core/csv.ts';

/** How a ledger export is written: one JSON object a line, or `;` separated CSV with a header. */
export type LedgerFileFormat = 'csv' | 'jsonl';

/** The CSV columns, in order: every field of a ledger entry. */
export const LEDGER_CSV_COLUMNS = Object.keys(ledgerEntrySchema.shape) as (keyof LedgerEntry)[];

const NUMERIC = new Set<string>(['rowNumber', 'dossiers', 'manualMinutesSaved', 'reworkMinutes', 'robotMs', 'attempts']);
const BOOLEAN = new Set<string>(['alreadyEntered']);

/** A ledger export that cannot be read. */
export class LedgerFileError extends InputFileError {
  override name = 'LedgerFileError';
  override readonly hint = 'Give a file written by `proweb ledger export` (.csv or .jsonl), or the ledger archive folder `proweb purge` writes.';
}

/** The format of a ledger file, from its extension. */
export function ledgerFileFormat(file: string): LedgerFileFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new LedgerFileError(file, `unknown ledger file type "${ext || '(none)'}"`);
}

/** Figures as they are (read back as numbers), texts made safe to open in a spreadsheet. */
const csvCell = (value: unknown): string | number | undefined => (value === undefined || value === null ? undefined : typeof value === 'number' ? value : String(value));

/**
 * Writes ledger entries to `out` for archiving, and returns how many. The file appears
 * complete or not at all (written beside it, then renamed). Figures are written as they
 * are (decimal point), so that reading the file back gives the same report.
 */
export async function exportLedger(entries: AsyncIterable<LedgerEntry> | Iterable<LedgerEntry>, options: { format: LedgerFileFormat; out: string }): Promise<number> {
  await mkdir(dirname(options.out), { recursive: true });
  const partial = `${options.out}.partial`;
  const stream = createWriteStream(partial, { encoding: 'utf8' });
  const write = (text: string) => (stream.write(text) ? undefined : new Promise<void>((resolve) => stream.once('drain', resolve)));
  let count = 0;
  try {
    if (options.format === 'csv') await write(`\ufeff${LEDGER_CSV_COLUMNS.join(';')}\r\n`);
    for await (const entry of entries) {
      await write(options.format === 'csv' ? csvLines([LEDGER_CSV_COLUMNS.map((c) => csvCell(entry[c]))]) : `${JSON.stringify(entry)}\n`);
      count++;
    }
    stream.end();
    await finished(stream);
    await rename(partial, options.out);
  } catch (error) {
    stream.destroy();
    await rm(partial, { force: true });
    throw error;
  }
  return count;
}

function checked(file: string, line: number, value: unknown): LedgerEntry {
  const parsed = ledgerEntrySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LedgerFileError(file, `line ${line}: ${issue?.path.join('.') || 'entry'}: ${issue?.message}`);
  }
  return parsed.data;
}

/** A CSV record (column → text) back into an entry's shape; empty cells are absent fields. */
function fromCsv(record: Record<string, string>): Record<string, unknown> {
  const entry: Record<string, unknown> = {};
  for (const [column, text] of Object.entries(record)) {
    if (text === '') continue;
    entry[column] = NUMERIC.has(column) ? Number(text) : BOOLEAN.has(column) ? text === 'true' : readCsvCell(text);
  }
  return entry;
}

const ARCHIVE_FILE = /^ledger-(\d{4}-\d{2}-\d{2})\.jsonl$/;
/** Archive files are by day of recording; an entry's `finishedAt` is never later but for a robot's clock. */
const ARCHIVE_MARGIN_MS = 86_400_000;

/**
 * Reads the ledger archive `proweb purge` writes (`ledger-YYYY-MM-DD.jsonl`, a day each), in
 * order, from the day before `range` starts: an entry may be recorded long after it finished
 * (an import of earlier figures), so every later day is read.
 */
async function* readLedgerArchive(folder: string, range: Period): AsyncGenerator<LedgerEntry> {
  const days = (await readdir(folder)).flatMap((name) => {
    const day = ARCHIVE_FILE.exec(name)?.[1];
    return day ? [{ day, file: join(folder, name) }] : [];
  }).sort((a, b) => a.day.localeCompare(b.day));
  if (days.length === 0) throw new LedgerFileError(folder, 'no ledger archive file (ledger-YYYY-MM-DD.jsonl) in this folder');
  for (const { day, file } of days) {
    const at = Date.parse(day);
    if (range.from && at + 86_400_000 <= range.from.getTime() - ARCHIVE_MARGIN_MS) continue;
    yield* readLedgerFile(file, range);
  }
}

/**
 * Reads a ledger export (CSV or JSON lines, by extension), or the ledger archive folder, as a
 * stream of checked entries, optionally within [from, to) on `finishedAt`. A bad line stops
 * the reading with the file and line named.
 */
export async function* readLedgerFile(file: string, range: Period = {}): AsyncGenerator<LedgerEntry> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(file)).isDirectory();
  } catch (cause) {
    ledgerFileFormat(file);
    throw new LedgerFileError(file, 'file not found', { cause });
  }
  if (isFolder) {
    yield* readLedgerArchive(file, range);
    return;
  }
  const format = ledgerFileFormat(file);
  try {
    await access(file);
  } catch (cause) {
    throw new LedgerFileError(file, 'file not found', { cause });
  }
  if (format === 'jsonl') {
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    let n = 0;
    for await (const raw of lines) {
      n++;
      const text = n === 1 ? raw.replace(/^\ufeff/, '') : raw;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new LedgerFileError(file, `line ${n}: not JSON`);
      }
      const entry = checked(file, n, value);
      if (finishedWithin(entry, range)) yield entry;
    }
    return;
  }
  const parser = createReadStream(file).pipe(parse({ delimiter: ';', bom: true, columns: true, skip_empty_lines: true, info: true }));
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      const entry = checked(file, info.lines, fromCsv(record));
      if (finishedWithin(entry, range)) yield entry;
    }
  } catch (error) {
    if (error instanceof LedgerFileError) throw error;
    throw new LedgerFileError(file, `not a ledger CSV: ${(error as Error).message}`, { cause: error });
  }
}
