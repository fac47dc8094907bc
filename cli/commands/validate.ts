import { basename } from 'node:path';
import { scrubText } from '../../core/personal-data.ts';
import { assertInputFile, readInputRows } from '../../input/read-input.ts';
import { createRejectionFile } from '../../input/rejection-file.ts';
import { formatInvalidRow, validateRows } from '../../input/row-validation.ts';
import { findScenario } from '../../scenarios/catalogue.ts';
import type { CommandContext } from '../context.ts';
import type { ValidateOptions } from '../program/validate.ts';

/**
 * `proweb validate <scenario> --input F`: checks every row of an input file against
 * the scenario's schema, with no browser and no Redis, and writes the rows to correct
 * to `F.rejets.csv` next to it. 0 when every row is valid, 1 when some are not; a file
 * that cannot be read at all is an `InputFileError` (exit code 2).
 */
export async function validateCommand(scenarioId: string, opts: ValidateOptions, ctx: CommandContext): Promise<number> {
  const scenario = findScenario(scenarioId);
  await assertInputFile(opts.input);
  const label = basename(opts.input);
  const rejections = ctx.closer.add('rejection file', createRejectionFile(opts.input), (r) => r.close());
  let rows = 0;
  let invalid = 0;
  for await (const validated of validateRows(scenario, label, readInputRows(opts.input))) {
    rows++;
    if (validated.ok) continue;
    invalid++;
    for (const problem of validated.problems) ctx.out(`${scrubText(formatInvalidRow(problem))}\n`);
    await rejections.add(validated, validated.problems);
  }
  const written = await rejections.close();
  const where = written.rows > 0 ? `; rejected rows written to ${written.path}` : '';
  ctx.out(`${rows} rows: ${rows - invalid} valid, ${invalid} invalid${where}\n`);
  return invalid === 0 ? 0 : 1;
}
