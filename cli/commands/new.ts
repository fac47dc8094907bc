import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputFileError, ProwebError } from '../../core/errors.ts';
import type { CommandContext } from '../context.ts';
import type { NewOptions as Declared } from '../program/new.ts';
import { isStarterApplication, noStarterReason, sampleCsv, STARTERS, type TemplateNames } from '../scenario-starters/index.ts';

/** The options of `proweb new`, and `root`: the checkout the files are written into; tests give a copy. Default: this checkout. */
export type NewOptions = Declared & { root?: string };

const CHECKOUT = fileURLToPath(new URL('../../', import.meta.url));

/** The template's names for a kebab-case id: `remboursement-test` → `remboursementTest`, `RemboursementTest`. */
function templateNames(id: string, sampleFromTest: string): TemplateNames {
  const camel = id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return { id, camel, pascal: camel[0]!.toUpperCase() + camel.slice(1), sampleFromTest };
}

/**
 * `proweb new <scenario> --application <id>`: writes `scenarios/<scenario>.ts`, a sample input
 * file and `tests/scenarios/<scenario>.e2e.test.ts`, which type-check and pass against the
 * mock application. Writes nothing if any of the three exists already.
 */
export async function newCommand(id: string, opts: NewOptions, ctx: CommandContext): Promise<number> {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(id)) throw new ProwebError(`"${id}" is not a scenario id`, 'Ids are kebab-case: lower-case letters and digits, words joined by dashes (remboursement-forfait).');
  // The command line checks it already (a bad argument); a caller in code gets the same reason.
  if (!isStarterApplication(opts.application)) throw new ProwebError(`no starter for application "${opts.application}"`, noStarterReason(opts.application));
  const starter = STARTERS[opts.application];
  const root = resolve(opts.root ?? CHECKOUT);
  const scenarioFile = join(root, 'scenarios', `${id}.ts`);
  const testFile = join(root, 'tests', 'scenarios', `${id}.e2e.test.ts`);
  const sampleFile = opts.sample ? resolve(opts.sample) : join(root, 'input', `${id}-sample.csv`);
  const taken = [scenarioFile, testFile, sampleFile].filter((f) => existsSync(f));
  if (taken.length > 0) throw new InputFileError(taken[0]!, `already exists; proweb new overwrites nothing (${taken.map((f) => relative(root, f)).join(', ')})`);

  let fromTest = relative(dirname(testFile), sampleFile).split(sep).join('/');
  if (!fromTest.startsWith('.')) fromTest = `./${fromTest}`;
  const names = templateNames(id, fromTest);
  const rows = starter.sampleRows();
  const files: [string, string][] = [
    [scenarioFile, starter.scenario(names)],
    [sampleFile, sampleCsv(starter.columns, rows)],
    [testFile, starter.e2eTest(names, rows.length)],
  ];
  for (const [file, text] of files) {
    await mkdir(dirname(file), { recursive: true });
    // 'wx': a file that appeared since the check is not overwritten either.
    await writeFile(file, text, { flag: 'wx' });
    ctx.out(`wrote ${relative(process.cwd(), file) || file}\n`);
  }
  ctx.out(
    `${id}: ${starter.summary}; ${rows.length} sample rows.\n` +
      'next:\n' +
      `  add ${names.camel} to scenarios/catalogue.ts (import { ${names.camel} } from './${id}.ts';)\n` +
      `  npx tsc --noEmit && npx vitest run ${relative(process.cwd(), testFile)}\n` +
      '  then make it the real procedure: its columns, screens (proweb map), guard and fields.\n',
  );
  return 0;
}
