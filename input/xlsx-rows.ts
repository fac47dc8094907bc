import ExcelJS from 'exceljs';
import { InputFileError } from '../core/errors.ts';
import { assertReadable } from './csv-rows.ts';
import { rowsFromRecords, type CellRecord, type NumberedRow } from './headers.ts';

const two = (n: number) => String(n).padStart(2, '0');

/** `dd/mm/yyyy`, with `hh:mm[:ss]` when the cell holds a time too. Excel dates carry no zone: exceljs puts them in UTC. */
function dateText(date: Date): string {
  const day = `${two(date.getUTCDate())}/${two(date.getUTCMonth() + 1)}/${date.getUTCFullYear()}`;
  const [h, m, s] = [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()];
  if (h === 0 && m === 0 && s === 0) return day;
  return `${day} ${two(h)}:${two(m)}${s ? `:${two(s)}` : ''}`;
}

/** A number format that shows a date (`dd/mm/yyyy`, `d-mmm-yy`...), quoted text and colours aside. */
function isDateFormat(numFmt: string | undefined): boolean {
  if (!numFmt) return false;
  return /[dy]/i.test(numFmt.replace(/"[^"]*"|\[[^\]]*\]|\\./g, ''));
}

/** Serial day number (1900 date system) to a date, as exceljs does for plain cells. */
const excelSerialToDate = (serial: number) => new Date(Math.round((serial - 25569) * 86_400_000));

/**
 * A cell's value as text, the way a person reads it in Excel and without losing
 * anything: numbers with a decimal comma and the 15 significant digits Excel keeps
 * (`1234,5`), dates `dd/mm/yyyy`, the text of rich text and hyperlinks, the result of
 * formulas, `VRAI`/`FAUX`, errors as shown (`#N/A`).
 */
export function cellText(value: unknown, numFmt?: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (isDateFormat(numFmt)) return dateText(excelSerialToDate(value)); // a formula's result shown as a date
    return String(Number(value.toPrecision(15))).replace('.', ',');
  }
  if (typeof value === 'boolean') return value ? 'VRAI' : 'FAUX';
  if (value instanceof Date) return dateText(value);
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) return (v.richText as { text?: string }[]).map((run) => run.text ?? '').join('');
    if ('formula' in v || 'sharedFormula' in v) return cellText(v.result, numFmt);
    if ('error' in v) return String(v.error);
    if ('text' in v) return cellText(v.text, numFmt);
  }
  return String(value);
}

interface SheetReader extends AsyncIterable<ExcelJS.Row> {
  name?: string;
}

/**
 * Streams the rows of the first worksheet of an .xlsx workbook with exceljs's streaming
 * reader, so that a large workbook is never held in memory (only its shared strings
 * table, once, as Excel stores every text there). The header is the first non-blank
 * row; row numbers are the worksheet's.
 */
export async function* readXlsxRows(file: string): AsyncGenerator<NumberedRow> {
  await assertReadable(file);
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // tells dates from numbers
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const records = async function* (): AsyncGenerator<CellRecord> {
    for await (const sheet of workbook as AsyncIterable<SheetReader>) {
      // Worksheets come in the order they are stored; the first tab is the first one listed in the workbook.
      const firstTab = (workbook as unknown as { model?: { sheets?: { name: string }[] } }).model?.sheets?.[0]?.name;
      if (firstTab !== undefined && sheet.name !== undefined && sheet.name !== firstTab) continue;
      for await (const row of sheet) {
        const cells: string[] = [];
        row.eachCell((cell, column) => {
          cells[column - 1] = cellText(cell.value, cell.numFmt);
        });
        yield { rowNumber: row.number, cells: Array.from(cells, (cell) => cell ?? '') };
      }
      return;
    }
  };
  try {
    yield* rowsFromRecords(file, records());
  } catch (cause) {
    if (cause instanceof InputFileError) throw cause;
    throw new InputFileError(file, `not a readable .xlsx workbook: ${(cause as Error).message}`, { cause });
  } finally {
    (workbook as unknown as { stream?: { destroy(): void } }).stream?.destroy();
  }
}
