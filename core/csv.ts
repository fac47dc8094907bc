import { stringify } from 'csv-stringify/sync';

/** A value a spreadsheet would run as a formula when the cell is opened (CSV injection), or the escape itself. */
const FORMULA_START = /^[=+\-@\t\r']/;
/** A plain number (`-12`, `1 234,56`, `-0.5`): harmless, and kept a number in the spreadsheet. */
const PLAIN_NUMBER = /^[-+]?\d[\d\u00a0\u202f ]*([.,]\d+)?$/;

/**
 * A text cell as it may safely be opened in Excel or LibreOffice: one that starts like a
 * formula (`=`, `+`, `-`, `@`, tab, carriage return) gets a leading `'`, which the
 * spreadsheet hides and which keeps it text (OWASP's advice). A cell starting with `'`
 * gets one too, so that {@link readCsvCell} gives back exactly what was written.
 */
export function safeCsvCell(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

/**
 * The cell as it was before {@link safeCsvCell}: a file written here, read back. The
 * leading `'` is removed only where {@link safeCsvCell} would have added it, so that a
 * cell a person typed with an apostrophe of their own (`'-12`, `'ok`) is read as typed.
 */
export function readCsvCell(cell: string): string {
  if (!cell.startsWith("'")) return cell;
  const original = cell.slice(1);
  return safeCsvCell(original) === cell ? original : cell;
}

/**
 * Lines of a CSV file as Excel opens it on a French Windows: `;` separated, CRLF, quoted
 * where a cell holds a separator, a quote or a line break, and every text cell made safe
 * from formula injection. Empty for no row; `null` and `undefined` are empty cells.
 */
export function csvLines(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return stringify(
    rows.map((cells) => cells.map((c) => (c === null || c === undefined ? '' : typeof c === 'number' ? String(c) : safeCsvCell(c)))),
    // A lone line feed breaks a row in Excel too, not only the CRLF that ends one.
    { delimiter: ';', record_delimiter: 'windows', quoted_match: /[\r\n]/ },
  );
}
