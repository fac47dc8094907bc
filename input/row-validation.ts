import type { RawRow, Scenario } from '../scenarios/dsl/index.ts';
import type { NumberedRow } from './headers.ts';

/** Why one input row cannot be processed: file, row, field and reason, as a human fixes it. */
export interface InvalidRow {
  file: string;
  rowNumber: number;
  field: string;
  reason: string;
}

export type ValidatedRow<Row> =
  | { ok: true; rowNumber: number; row: Row; key: string; raw: RawRow }
  | { ok: false; rowNumber: number; problems: InvalidRow[]; raw: RawRow };

/** `dipa.csv row 12, numero_ps: is not a PS number` */
export function formatInvalidRow(p: InvalidRow): string {
  return `${p.file} row ${p.rowNumber}, ${p.field}: ${p.reason}`;
}

/**
 * Parses each row with the scenario's input schema; bad rows are reported, never
 * thrown. A row whose business key an earlier row has already is a bad row too
 * (`same dossier as row 12`): a dossier is entered once.
 */
export async function* validateRows<Row extends Record<string, unknown>>(
  scenario: Scenario<Row>,
  file: string,
  rows: AsyncIterable<NumberedRow>,
): AsyncGenerator<ValidatedRow<Row>> {
  const firstRowOfKey = new Map<string, number>();
  for await (const { rowNumber, raw } of rows) {
    const parsed = scenario.input.safeParse(raw);
    if (!parsed.success) {
      yield {
        ok: false,
        rowNumber,
        raw,
        problems: parsed.error.issues.map((issue) => ({
          file,
          rowNumber,
          field: issue.path.map(String).join('.') || '(row)',
          reason: issue.message,
        })),
      };
      continue;
    }
    const key = scenario.businessKey(parsed.data);
    const first = firstRowOfKey.get(key);
    if (first !== undefined) {
      yield { ok: false, rowNumber, raw, problems: [{ file, rowNumber, field: scenario.key.join('+'), reason: `same dossier as row ${first}` }] };
      continue;
    }
    firstRowOfKey.set(key, rowNumber);
    yield { ok: true, rowNumber, row: parsed.data, key, raw };
  }
}
