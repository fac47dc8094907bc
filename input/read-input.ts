import { extname } from 'node:path';
import { InputFileError } from '../core/errors.ts';
import { assertReadable, readCsvRows } from './csv-rows.ts';
import type { NumberedRow } from './headers.ts';
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
 * rows are numbered as a spreadsheet shows them. Anything wrong with the file as a
 * whole (type, missing, no header row, a column twice) is an {@link InputFileError}.
 */
export async function* readInputRows(file: string): AsyncGenerator<NumberedRow> {
  yield* readerFor(file)(file);
}
