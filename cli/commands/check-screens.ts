import { InputFileError } from '../../core/errors.ts';
import { scrubText } from '../../core/personal-data.ts';
import { Robot, type ScreenReport } from '../../runner/index.ts';
import { catalogue, findScenario } from '../../scenarios/catalogue.ts';
import type { AnyScenario } from '../../scenarios/dsl/index.ts';
import type { CommandContext } from '../context.ts';
import { firstValidRow } from '../dossier-row.ts';
import { endpointsFor } from '../endpoints.ts';
import type { CheckScreensOptions as Declared } from '../program/check-screens.ts';

/**
 * The options of `proweb check-screens`; `input`, the files each scenario walks the first row
 * valid for it in (a dry run: nothing is entered), may also be one file.
 */
export type CheckScreensOptions = Omit<Declared, 'input'> & { input: string | readonly string[] };

/** The first row valid for the scenario in any of the files, or undefined when none has one. */
async function rowFor(scenario: AnyScenario, files: readonly string[]): Promise<{ file: string; rowNumber: number; row: Record<string, unknown> } | undefined> {
  for (const file of files) {
    const found = await firstValidRow(scenario, file);
    if (found) return { file, ...found };
  }
  return undefined;
}

/** The report, screen by screen: what is there, what moved, what could not be reached. */
export function formatScreenReport(scenario: AnyScenario, report: ScreenReport): { text: string; missing: number } {
  const lines = [`${scenario.id}:`];
  let missing = 0;
  const byScreen = new Map<string, ScreenReport['checked']>();
  for (const c of report.checked) byScreen.set(`${c.application} › ${c.screen}`, [...(byScreen.get(`${c.application} › ${c.screen}`) ?? []), c]);
  for (const [screen, checks] of byScreen) {
    const absent = checks.filter((c) => !c.found && !c.optional);
    missing += absent.length;
    lines.push(`  ${absent.length === 0 ? '✓' : '✗'} ${screen} (${checks.length} elements)`);
    for (const c of absent) lines.push(`      missing: ${c.screen}.${c.element} ${c.description}`);
  }
  for (const s of report.notVisited) lines.push(`  - ${s.application} › ${s.screen}: not reached by a dry run (after the commit, or a branch not taken)`);
  if (report.failure) lines.push(`  the dry run stopped: ${scrubText(report.failure.message)}`);
  return { text: `${lines.join('\n')}\n`, missing };
}

/**
 * `proweb check-screens [scenario] --input F`: walks one dossier through each scenario
 * in a dry run and checks that every field of every screen it reaches still resolves.
 * Exit code 1 when something is missing or the walk failed.
 */
export async function checkScreensCommand(scenarioId: string | undefined, opts: CheckScreensOptions, ctx: CommandContext): Promise<number> {
  const files = typeof opts.input === 'string' ? [opts.input] : opts.input;
  const scenarios = scenarioId ? [findScenario(scenarioId)] : [...catalogue.values()];
  let failed = 0;
  let walked = 0;
  for (const scenario of scenarios) {
    const found = await rowFor(scenario, files);
    if (!found) {
      // One scenario asked for: its file must fit. All of them: those without a file are named, not failed.
      if (scenarioId) throw new InputFileError(files.join(', '), `no valid row for ${scenario.id} to walk the screens with`);
      ctx.out(`${scenario.id}: skipped, no valid row for it in ${files.join(', ')} (give one of its files with --input)\n`);
      continue;
    }
    walked++;
    const { file, rowNumber, row } = found;
    const { config, endpoints } = await endpointsFor(scenario, opts, ctx);
    // A screen check expects what it looks for to be there already: a missing field fails fast.
    const robot = ctx.closer.add('browser', await Robot.launch({ applications: endpoints, evidenceDir: `${config.dataDir}/evidence`, logger: ctx.openLogger(config), defaultTimeoutMs: 3_000 }), (r) => r.close());
    ctx.out(`Walking ${scenario.id} with row ${rowNumber} of ${file} (dry run)\n`);
    const report = await robot.checkScreens(scenario, row, { dossierId: `check-screens-row${rowNumber}` });
    const { text, missing } = formatScreenReport(scenario, report);
    ctx.out(text);
    if (missing > 0 || report.failure) failed++;
  }
  if (walked === 0) throw new InputFileError(files.join(', '), 'no valid row for any scenario: give each scenario one of its input files with --input');
  return failed > 0 ? 1 : 0;
}
