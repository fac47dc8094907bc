import { extname } from 'node:path';
import { readCsvCell } from '../core/csv.ts';
import { InputFileError } from '../core/errors.ts';
import { assertReadable, readCsvRows } from './csv-rows.ts';
import type { NumberedRow } from './headers.ts';
import { REJECTION_COLUMNS } from './rejection-file.ts';
import { readXlsxRows } from './xlsx-rows.ts';

const readers: Record<string, (file: string) => AsyncGenerator<NumberedRow>> = {
  '.csv': readCsvRows,
  '.txt': readCsvRows,
  '.xlsx': readXlsxRows,
};

function readerFor(file: string): (file: string) => AsyncGenerator<NumberedRow> {
  const extension = extname(file).toLowerCase();
  const reader = readers[extension];
  if (!reader) throw new InputFileError(file, `unsupported file type ${extension || '(no extension)'}: use .csv or .xlsx`);
  return reader;
}

/** Fails early, before anything is started, when an input file is of an unsupported type or cannot be read. */
export async function assertInputFile(file: string): Promise<void> {
  readerFor(file);
  await assertReadable(file);
}

/**
 * Streams the data rows of an input file, whatever its format: `.csv`/`.txt`
 * (see {@link readCsvRows}) or `.xlsx` (first worksheet, see {@link readXlsxRows}).
 * Column titles are normalised to snake_case ASCII (`"Numéro PS"` → `numero_ps`);
 * rows are numbered as a spreadsheet shows them. A rejection file or work list proweb
 * wrote reads back as the input it came from (formula cells lose the `'` the writer put
 * before them). Anything wrong with the file as a whole (type, missing, no header row,
 * a column twice) is an {@link InputFileError}.
 */
export async function* readInputRows(file: string): AsyncGenerator<NumberedRow> {
  for await (const row of readerFor(file)(file)) yield writtenByProweb(row) ? { rowNumber: row.rowNumber, raw: unescapeCells(row.raw) } : row;
}

/**
 * A rejection file or a work list that proweb wrote (it has the `ligne` and `motif`
 * columns), corrected by a person and submitted again: the writer kept every cell that
 * starts like a formula text with a leading `'` (core/csv.ts), which must not reach a screen.
 */
function writtenByProweb(row: NumberedRow): boolean {
  return REJECTION_COLUMNS.row in row.raw && REJECTION_COLUMNS.reason in row.raw;
}

/**
 * The cells as they were in the first input: the `'` the writer put before a cell that
 * starts like a formula is removed, and only that one (a spreadsheet that already dropped
 * it leaves nothing to remove).
 */
function unescapeCells(raw: NumberedRow['raw']): NumberedRow['raw'] {
  return Object.fromEntries(Object.entries(raw).map(([column, value]) => [column, typeof value === 'string' ? readCsvCell(value) : value]));
}
