import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ProwebError } from '../../core/errors.ts';
import { scrubText } from '../../core/personal-data.ts';
import { Robot, type StepEvent } from '../../runner/index.ts';
import { findScenario } from '../../scenarios/catalogue.ts';
import type { CommandContext } from '../context.ts';
import { loadRow } from '../dossier-row.ts';
import { endpointsFor } from '../endpoints.ts';
import type { TryOptions } from '../program/try.ts';

/** Said with every trace: what it holds, and what to do with it (RGPD). */
export const TRACE_WARNING =
  'the trace holds personal data (every page the dossier showed, with names, NIR, IBAN, and the session cookie; never the login password): ' +
  'keep it on this machine, share it with no one, and delete it after use (`proweb purge` removes old traces).';

/**
 * `proweb try <scenario> --input F --row N`: one dossier, directly (no queue, no
 * ledger), each step printed as it runs, optionally with a Playwright trace under
 * `dataDir/traces` (logins left out).
 */
export async function tryCommand(scenarioId: string, opts: TryOptions, ctx: CommandContext): Promise<number> {
  const scenario = findScenario(scenarioId);
  const row = await loadRow(scenario, opts.input, opts.row);
  const { config, endpoints } = await endpointsFor(scenario, opts, ctx);
  const logger = ctx.openLogger(config);
  const robot = ctx.closer.add('browser', await Robot.launch({ applications: endpoints, headed: opts.headed ?? false, evidenceDir: `${config.dataDir}/evidence`, logger }), (r) => r.close());
  const traceDir = resolve(config.dataDir, 'traces');
  const tracePath = opts.trace ? join(traceDir, `${scenario.id}-row${opts.row}-${Date.now()}.zip`) : undefined;
  if (tracePath) await mkdir(traceDir, { recursive: true });
  ctx.out(`${scenario.id} v${scenario.version}, row ${opts.row} of ${opts.input}${opts.dryRun ? ' (dry run: nothing is entered)' : ''}\n`);
  if (tracePath) ctx.out(`warning: ${TRACE_WARNING}\n`);
  let traces: string[] = [];
  let code = 0;
  const events: StepEvent[] = [];
  let robotMs: number | undefined;
  try {
    const outcome = await robot.run(scenario, row, {
      dossierId: `try-row${opts.row}`,
      ...(opts.dryRun ? { dryRun: true } : {}),
      ...(tracePath ? { tracePath, onTrace: (files: string[]) => { traces = files; } } : {}),
      onStep: (e) => {
        events.push(e);
        const batched = e.batch ? `  (batched from step ${e.batch.first})` : '';
        ctx.out(`  ${e.outcome === 'ok' ? '✓' : '✗'} ${e.at.stepIndex.padEnd(6)} ${e.at.step}${e.at.target ? `  ${e.at.target}` : ''}  ${e.ms} ms${batched}\n`);
      },
    });
    robotMs = outcome.robotMs;
    ctx.out(outcome.status === 'done'
      ? `done: ${outcome.reference}${outcome.alreadyEntered ? ' (already entered: nothing typed again)' : ''} in ${outcome.robotMs} ms\n`
      : `rejected: ${scrubText(outcome.reason)}\n`);
    code = outcome.status === 'done' ? 0 : 1;
  } catch (error) {
    if (!(error instanceof ProwebError)) throw error;
    ctx.out(`failed: ${scrubText(error.message)}\n${'evidence' in error && Array.isArray(error.evidence) && error.evidence.length ? `evidence: ${error.evidence.join(', ')}\n` : ''}`);
    code = 1;
  }
  if (opts.profile) ctx.out(profileTable(events, robotMs));
  if (tracePath) {
    for (const file of traces) ctx.out(`trace: ${file}\n  open it with: npx playwright show-trace ${file}\n`);
    if (traces.length === 0) ctx.out('trace: nothing recorded (the dossier ended before any page but the login)\n');
    ctx.out(`warning: ${TRACE_WARNING}\n`);
  }
  return code;
}

/**
 * Where a dossier's time went: per step, its time and the Playwright calls it made (each a
 * round-trip to the browser, its login included), then the totals. Steps applied in one batch
 * share its time; its round-trips are counted on the first. Targets are as the robot reported
 * them: masked for the row's personal data.
 */
export function profileTable(events: readonly StepEvent[], robotMs?: number): string {
  const rows = events.map((e) => {
    const last = e.batch ? events.filter((o) => o.batch?.first === e.batch!.first).at(-1)?.at.stepIndex : undefined;
    const note = !e.batch ? '' : e.at.stepIndex === e.batch.first ? `  [batch ${e.batch.first}–${last}: ${e.batch.size} steps, one round-trip]` : `  [in batch ${e.batch.first}–${last}]`;
    return [e.at.stepIndex, String(e.ms), String(e.roundTrips), `${e.outcome === 'ok' ? '' : 'FAILED '}${e.at.step}${e.at.target ? `  ${e.at.target}` : ''}${note}`];
  });
  const ms = events.reduce((sum, e) => sum + e.ms, 0);
  const trips = events.reduce((sum, e) => sum + e.roundTrips, 0);
  rows.push(['total', String(ms), String(trips), robotMs === undefined ? '' : `the dossier took ${robotMs} ms in all (${Math.max(0, robotMs - ms)} ms outside its steps: a new browser context, the guard's restarts)`]);
  const header = ['step', 'ms', 'round-trips', 'action'];
  const widths = [0, 1, 2].map((i) => Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `  ${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padStart(widths[1]!)}  ${r[2]!.padStart(widths[2]!)}  ${r[3]}`.trimEnd() + '\n';
  return `profile: time and Playwright round-trips per step\n${line(header)}${rows.map(line).join('')}`;
}
