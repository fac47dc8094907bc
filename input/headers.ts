import { InputFileError } from '../core/errors.ts';
import type { RawRow } from '../scenarios/dsl/index.ts';

/** One data row of an input file, numbered as a spreadsheet shows it (the header is row 1). */
export interface NumberedRow {
  rowNumber: number;
  raw: RawRow;
}

/** One line of a file as cell texts, numbered as a spreadsheet shows it; whatever the format. */
export interface CellRecord {
  rowNumber: number;
  cells: readonly string[];
}

/**
 * A column title as a person types it, turned into the snake_case ASCII name a
 * scenario's schema uses: `"Numéro PS"` → `numero_ps`, `"Aide calculée (€)"` →
 * `aide_calculee` (a trailing unit in parentheses is dropped), `"N° demande"` →
 * `numero_demande`.
 */
export function normalizeHeader(header: string): string {
  let name = header.trim().toLowerCase();
  const withoutUnit = name.replace(/\s*\([^()]*\)$/, '');
  if (/[\p{L}\p{N}]/u.test(withoutUnit)) name = withoutUnit;
  name = name
    .normalize('NFKD') // "é" → "e" + accent, "º" → "o"
    .replace(/\p{M}/gu, '')
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/(^|[^a-z0-9])n\s*°/g, '$1numero ') // "N° demande", "Demande n°"
    .replace(/^no(?:\.|\s|$)\s*/, 'numero '); // "No demande", "No. demande", "Nº demande"
  return name.replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/** `1` → `A`, `28` → `AB`: columns as a spreadsheet names them. */
export function columnLetter(column: number): string {
  let letters = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

const isBlank = (cells: readonly string[]) => cells.every((cell) => cell.trim() === '');

/**
 * Maps the header row to column names: normalised, each name once. A first row that
 * holds values rather than titles (a name starting with a digit, like a PS number
 * or a date) means the header row is missing. Columns without a title are ignored.
 */
function columnsOf(file: string, header: CellRecord): (string | undefined)[] {
  const names = header.cells.map((cell) => normalizeHeader(cell) || undefined);
  const value = names.findIndex((name) => name !== undefined && /^\d/.test(name));
  if (value >= 0) {
    throw new InputFileError(
      file,
      `no header row: row ${header.rowNumber} holds values ("${header.cells[value]!.trim()}" in column ${columnLetter(value + 1)}), not column titles; add a first row with the column names`,
    );
  }
  const firstColumn = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === undefined) return;
    const first = firstColumn.get(name);
    if (first !== undefined) {
      throw new InputFileError(
        file,
        `column ${name} appears twice: "${header.cells[first]!.trim()}" in column ${columnLetter(first + 1)} and "${header.cells[i]!.trim()}" in column ${columnLetter(i + 1)}; keep one`,
      );
    }
    firstColumn.set(name, i);
  });
  return names;
}

/**
 * Turns the lines of a file into rows keyed by column name. The header is the first
 * non-blank line; blank lines are skipped; a missing cell reads as empty text.
 *
 * @throws InputFileError "the file has no rows" for a file with no line, or a header
 * only: an export that came out empty is a mistake to report (exit code 2), not a
 * campaign of nothing that succeeds. Thrown once the file is read to its end.
 */
export async function* rowsFromRecords(file: string, records: AsyncIterable<CellRecord>): AsyncGenerator<NumberedRow> {
  let columns: (string | undefined)[] | undefined;
  let header: CellRecord | undefined;
  let rows = 0;
  for await (const record of records) {
    if (isBlank(record.cells)) continue;
    if (columns === undefined) {
      header = record;
      columns = columnsOf(file, record);
      continue;
    }
    const raw: Record<string, string> = {};
    columns.forEach((name, i) => {
      if (name !== undefined) raw[name] = record.cells[i] ?? '';
    });
    rows++;
    yield { rowNumber: record.rowNumber, raw };
  }
  if (rows === 0) {
    throw new InputFileError(
      file,
      header === undefined ? 'the file has no rows: it is empty' : `the file has no rows: only the header (row ${header.rowNumber}), no dossier under it`,
    );
  }
}
