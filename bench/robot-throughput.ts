/**
 * Dossiers per second of one robot (one browser) against the mock back office, by
 * number of browser contexts: `node --import tsx bench/robot-throughput.ts [dossiers] [1,2,4,6]`.
 * The DIPA scenario (three pages a dossier: the PS record, the form, the confirmation)
 * runs directly on the robot, without queue or ledger, so the figure is the browser's
 * and the screens'. A speed target lives here, never in a timed test.
 */
import { DEFAULT_USER, startBackOffice } from '../fixtures/backoffice/index.ts';
import { dipaCsvRow } from '../fixtures/data/dipa-csv.ts';
import { Robot } from '../runner/index.ts';
import { dipaPayment, dipaRow } from '../scenarios/dipa-payment.ts';

const dossiers = Number(process.argv[2] ?? 120);
const levels = (process.argv[3] ?? '1,2,4,6').split(',').map(Number);

console.log(`| contexts | dossiers | seconds | dossiers/s | robot ms per dossier (median) |`);
console.log(`|---:|---:|---:|---:|---:|`);
for (const concurrency of levels) {
  const backOffice = await startBackOffice({ port: 0 });
  const robot = await Robot.launch({ applications: { progres: { baseUrl: backOffice.url, ...DEFAULT_USER } }, concurrency });
  const rows = backOffice.state.dipaRequests
    .filter((r) => backOffice.state.professionals.get(r.ps)?.conventioned)
    .slice(0, dossiers)
    .map((r) => dipaRow.parse(dipaCsvRow(r, backOffice.state.professionals.get(r.ps)!)));
  const robotMs: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < rows.length) {
        const row = rows[next++]!;
        const outcome = await robot.run(dipaPayment, row, { dossierId: `bench-${next}` });
        robotMs.push(outcome.robotMs);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  robotMs.sort((a, b) => a - b);
  console.log(`| ${concurrency} | ${rows.length} | ${seconds.toFixed(1)} | ${(rows.length / seconds).toFixed(2)} | ${robotMs[Math.floor(robotMs.length / 2)]} |`);
  if (backOffice.state.payments.length !== rows.length) throw new Error(`expected ${rows.length} payments, the back office holds ${backOffice.state.payments.length}`);
  await robot.close();
  await backOffice.close();
}
