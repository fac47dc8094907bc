import { basename } from 'node:path';
import { InputFileError } from '../core/errors.ts';
import { formatInvalidRow, readInputRows, validateRows } from '../input/index.ts';
import type { AnyScenario } from '../scenarios/dsl/index.ts';

/** Row `rowNumber` of an input file (numbered as a spreadsheet shows it), parsed by the scenario. */
export async function loadRow(scenario: AnyScenario, file: string, rowNumber: number): Promise<Record<string, unknown>> {
  for await (const validated of validateRows(scenario, basename(file), readInputRows(file))) {
    if (validated.rowNumber !== rowNumber) continue;
    if (validated.ok) return validated.row;
    throw new InputFileError(file, `row ${rowNumber} is invalid: ${validated.problems.map(formatInvalidRow).join('; ')}`);
  }
  throw new InputFileError(file, `no row ${rowNumber} (the header is row 1, data starts at row 2)`);
}

/** The first row of an input file valid for the scenario, or undefined when it has none. */
export async function firstValidRow(scenario: AnyScenario, file: string): Promise<{ rowNumber: number; row: Record<string, unknown> } | undefined> {
  for await (const validated of validateRows(scenario, basename(file), readInputRows(file))) {
    if (validated.ok) return { rowNumber: validated.rowNumber, row: validated.row };
  }
  return undefined;
}
