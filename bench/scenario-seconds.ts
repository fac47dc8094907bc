/**
 * Robot seconds per dossier of each seed scenario against the mock back office:
 * `node --import tsx bench/scenario-seconds.ts [dossiers=40] [scenario,scenario...]`.
 * For each scenario: reads its demo file (the sample with invalid rows, refusals and
 * dossiers already entered, as a real "fichier ProWeb" has), validates it with the
 * input module, and runs its first `dossiers` valid rows through one robot directly
 * (no queue, no ledger): one at a time, then four at a time, the back office reset in
 * between so that the same dossiers are entered again. Prints a markdown table: the
 * figures the gain notes quote next to each scenario's manual minutes. A speed figure
 * lives here, never in a timed test.
 */
import { cpus, loadavg } from 'node:os';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_USER, startBackOffice, type BackOffice } from '../fixtures/backoffice/index.ts';
import { readInputRows, validateRows } from '../input/index.ts';
import { findBrowser, Robot, type DossierOutcome } from '../runner/index.ts';
import { catalogue } from '../scenarios/catalogue.ts';
import type { AnyScenario } from '../scenarios/dsl/index.ts';

const dossiers = Number(process.argv[2] ?? 40);
const only = process.argv[3]?.split(',');
if (!Number.isInteger(dossiers) || dossiers < 1) throw new Error(`dossiers must be a positive whole number, not ${process.argv[2]}`);

/** Each scenario's demo file, and how many records its application holds (what the robot really entered). */
const BENCHED: Record<string, { file: string; entered: (bo: BackOffice) => number }> = {
  'dipa-payment': { file: 'dipa-demo.csv', entered: (bo) => bo.state.payments.length },
  'forfait-ps': { file: 'forfait-ps-demo.csv', entered: (bo) => bo.state.payments.length },
  'prime-covid': { file: 'prime-covid-demo.csv', entered: (bo) => bo.apps.grh.entries.length },
  'prn-entry': { file: 'prn-demo.csv', entered: (bo) => bo.apps.ij.prestations.length },
  'autonomisation-ayants-droit': { file: 'autonomisation-demo.csv', entered: (bo) => bo.apps.bdo.beneficiaries.length },
};

const sample = (name: string) => fileURLToPath(new URL(`../fixtures/data/${name}`, import.meta.url));

/** The first `count` valid rows of a file, parsed by the scenario. */
async function validRows(scenario: AnyScenario, file: string, count: number): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const v of validateRows(scenario, basename(file), readInputRows(file))) {
    if (v.ok) rows.push(v.row);
    if (rows.length === count) break;
  }
  return rows;
}

function resetAll(bo: BackOffice): void {
  bo.state.reset();
  bo.apps.grh.reset();
  bo.apps.ij.reset();
  bo.apps.bdo.reset();
}

type Ended = DossierOutcome | { status: 'failed'; robotMs: number };

/** Runs the rows `concurrency` at a time; returns each outcome and the wall time. */
async function runAll(robot: Robot, scenario: AnyScenario, rows: Record<string, unknown>[], concurrency: number): Promise<{ ended: Ended[]; seconds: number }> {
  const ended: Ended[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < rows.length) {
        const index = next++;
        const began = performance.now();
        ended.push(await robot.run(scenario, rows[index]!, { dossierId: `bench-c${concurrency}-${index}` }).catch(() => ({ status: 'failed' as const, robotMs: Math.round(performance.now() - began) })));
      }
    }),
  );
  return { ended, seconds: (performance.now() - started) / 1000 };
}

/** Nearest-rank percentile. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const count = (ended: Ended[], test: (e: Ended) => boolean) => ended.filter(test).length;
const enteredNow = (e: Ended) => e.status === 'done' && !e.alreadyEntered && !e.dryRun;
const seconds = (ms: number) => (ms / 1000).toFixed(2);

const browser = findBrowser({ headed: false });
// Other work on the machine slows the browser down: say how busy it was.
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, ${browser.executablePath ?? 'Playwright-managed Chromium'} (${browser.source}), ${dossiers} dossiers per scenario, load average ${load()}`);
console.log('');
console.log('| scenario | manual min | dossiers | done / rejected | robot s per dossier, median | robot s per dossier, p90 | dossiers/s at 1 | dossiers/s at 4 |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');

const backOffice = await startBackOffice({ port: 0 });
try {
  for (const [id, bench] of Object.entries(BENCHED)) {
    if (only && !only.includes(id)) continue;
    const scenario = catalogue.get(id);
    if (!scenario) throw new Error(`${id} is not in the catalogue`);
    const rows = await validRows(scenario, sample(bench.file), dossiers);
    if (rows.length < dossiers) throw new Error(`${bench.file} has only ${rows.length} valid rows, ${dossiers} asked`);
    const applications = Object.fromEntries(scenario.applications.map((a) => [a.id, { baseUrl: backOffice.url, ...DEFAULT_USER }]));
    const robot = await Robot.launch({ applications, concurrency: 4, evidenceDir: '.proweb/bench-evidence' });
    try {
      const phases = [];
      for (const concurrency of [1, 4]) {
        resetAll(backOffice);
        const phase = await runAll(robot, scenario, rows, concurrency);
        // What the robot says it entered is what the application holds, or the figures mean nothing.
        const held = bench.entered(backOffice);
        if (held !== count(phase.ended, enteredNow)) throw new Error(`${id} at ${concurrency}: ${count(phase.ended, enteredNow)} dossiers entered, the application holds ${held} records`);
        phases.push(phase);
      }
      const [one, four] = phases as [Awaited<ReturnType<typeof runAll>>, Awaited<ReturnType<typeof runAll>>];
      const robotMs = one.ended.map((e) => e.robotMs).sort((a, b) => a - b);
      const failed = count(one.ended, (e) => e.status === 'failed');
      const done = `${count(one.ended, (e) => e.status === 'done')} / ${count(one.ended, (e) => e.status === 'rejected')}${failed ? ` (${failed} failed)` : ''}`;
      console.log(
        `| ${id} | ${scenario.manualMinutes} | ${rows.length} | ${done} | ${seconds(percentile(robotMs, 50))} | ${seconds(percentile(robotMs, 90))} | ${(rows.length / one.seconds).toFixed(2)} | ${(rows.length / four.seconds).toFixed(2)} |`,
      );
    } finally {
      await robot.close();
    }
  }
} finally {
  await backOffice.close();
}
console.log('');
console.log(`load average at the end: ${load()}`);
