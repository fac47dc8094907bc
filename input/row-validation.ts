import type { RawRow, Scenario } from '../scenarios/dsl/index.ts';
import type { NumberedRow } from './csv-rows.ts';

/** Why one input row cannot be processed: file, row, field and reason, as a human fixes it. */
export interface InvalidRow {
  file: string;
  rowNumber: number;
  field: string;
  reason: string;
}

export type ValidatedRow<Row> =
  | { ok: true; rowNumber: number; row: Row; key: string; raw: RawRow }
  | { ok: false; rowNumber: number; problems: InvalidRow[] };

/** `dipa.csv row 12, numero_ps: is not a PS number` */
export function formatInvalidRow(p: InvalidRow): string {
  return `${p.file} row ${p.rowNumber}, ${p.field}: ${p.reason}`;
}

/** Parses each row with the scenario's input schema; bad rows are reported, never thrown. */
export async function* validateRows<Row extends Record<string, unknown>>(
  scenario: Scenario<Row>,
  file: string,
  rows: AsyncIterable<NumberedRow>,
): AsyncGenerator<ValidatedRow<Row>> {
  for await (const { rowNumber, raw } of rows) {
    const parsed = scenario.input.safeParse(raw);
    if (parsed.success) {
      yield { ok: true, rowNumber, row: parsed.data, key: scenario.businessKey(parsed.data), raw };
    } else {
      yield {
        ok: false,
        rowNumber,
        problems: parsed.error.issues.map((issue) => ({
          file,
          rowNumber,
          field: issue.path.map(String).join('.') || '(row)',
          reason: issue.message,
        })),
      };
    }
  }
}
