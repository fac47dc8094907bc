import type { z } from 'zod';
import { readInputRows } from '../../input/index.ts';

/**
 * The rows of an input file that `schema` (a scenario's row schema) accepts, parsed, by row
 * number as a campaign numbers them (header = row 1): what the back office must hold, from
 * the file rather than from the robot.
 */
export async function validRows<S extends z.ZodType>(schema: S, file: string): Promise<Map<number, z.output<S>>> {
  const rows = new Map<number, z.output<S>>();
  for await (const { rowNumber, raw } of readInputRows(file)) {
    const parsed = schema.safeParse(raw);
    if (parsed.success) rows.set(rowNumber, parsed.data);
  }
  return rows;
}
