/**
 * The Robot against a hand-written, tuned plain Playwright script of the same DIPA
 * payment (bench/tuned-dipa-script.ts), on the same rows, the same mock Progrès, the
 * same browser build: the yardstick of issue 11.
 *
 * ```sh
 * node --import tsx bench/versus-playwright.ts [--rounds 3] [--rows 219] [--contexts 1,4] [--long] [--long-dossiers 5000]
 * ```
 *
 * The rows are the payable rows of `fixtures/data/dipa-demo.csv` (219), parsed by the
 * scenario. For each round and each number of contexts, both variants run, in an order
 * that alternates from round to round, each on a browser of its own and a back office
 * reset just before (so that every dossier is entered again). After each run the back
 * office's own records must hold exactly one payment per dossier, with the row's
 * amount, IBAN and motif, and the references the variant reported: otherwise the bench
 * stops, as a fast wrong entry is worth nothing.
 *
 * Printed: dossiers per second (median of the rounds), CPU seconds per dossier (this
 * Node process, which also serves the mock back office, plus the browser's process
 * tree from /proc), and the ratios Robot / tuned script of both (on a busy machine the
 * wall clock follows the load, the CPU per dossier much less). `--long` instead runs the
 * Robot alone on 5 000 dossiers at 4 contexts (the rows cycled, the back office reset
 * each cycle) and samples the resident memory of Node and Chromium.
 *
 * A speed target lives in a bench like this one, never in a timed test.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright';
import { DEFAULT_USER, startBackOffice, type BackOffice } from '../fixtures/backoffice/index.ts';
import { dipaDemoRows } from '../fixtures/data/generate-dipa-sample.ts';
import { findBrowser, launchBrowser, Robot } from '../runner/index.ts';
import { dipaPayment, dipaRow, type DipaRow } from '../scenarios/dipa-payment.ts';
import { cpuSince, readCpu, readRss, type CpuReading, type RssReading } from './process-usage.ts';
import { paymentFormValues, runTunedDipa, type ProgresEndpoint } from './tuned-dipa-script.ts';

/** Both variants renew a context after this many dossiers (the Robot's default). */
const RECYCLE_AFTER = 100;
/** Rows each variant runs once before the first measure, so that neither pays for the JIT warming up. */
const WARM_UP_ROWS = 10;

type Variant = 'tuned' | 'robot';
const VARIANT_TITLE: Record<Variant, string> = { tuned: 'tuned Playwright script', robot: 'proweb Robot' };

/** How a variant reports one dossier, reduced to what the check needs. */
interface Reported {
  status: string;
  reference?: string;
  alreadyEntered?: boolean;
}

/** One measured run. */
interface RunResult {
  variant: Variant;
  contexts: number;
  dossiers: number;
  seconds: number;
  cpu: CpuReading;
  loadAtStart: number;
}

interface Options {
  rounds: number;
  rows: number | undefined;
  contexts: number[];
  long: boolean;
  longDossiers: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      rows: { type: 'string' },
      contexts: { type: 'string', default: '1,4' },
      long: { type: 'boolean', default: false },
      'long-dossiers': { type: 'string', default: '5000' },
    },
  });
  const whole = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number, not ${text}`);
    return n;
  };
  return {
    rounds: whole('rounds', values.rounds),
    rows: values.rows === undefined ? undefined : whole('rows', values.rows),
    contexts: values.contexts.split(',').map((c) => whole('contexts', c)),
    long: values.long,
    longDossiers: whole('long-dossiers', values['long-dossiers']),
  };
}

/** The payable rows of the demo file, parsed by the scenario as the input module would. */
function payableRows(limit: number | undefined): DipaRow[] {
  const rows = dipaDemoRows()
    .filter((r) => r.kind === 'payable')
    .map((r) => dipaRow.parse(r.row));
  if (limit !== undefined && limit > rows.length) throw new Error(`--rows ${limit}: the demo file has ${rows.length} payable rows`);
  return rows.slice(0, limit ?? rows.length);
}

const paymentKey = (row: DipaRow) => `${row.ps}|DIPA|${row.period}`;

/**
 * The back office's own records against the rows: exactly one payment per dossier, the
 * row's values in it, none other, and each dossier reported entered now with that payment's
 * reference. Throws with what is wrong (keys and references only, no personal data).
 */
function checkEntries(backOffice: BackOffice, rows: readonly DipaRow[], reported: readonly Reported[], label: string): void {
  const problems: string[] = [];
  const entries = backOffice.state.entriesByKey();
  const byReference = new Map(backOffice.state.payments.map((p) => [p.reference, p]));
  const expected = new Set(rows.map(paymentKey));
  for (const [key, references] of entries) {
    if (!expected.has(key)) problems.push(`a payment nobody asked for (${references.join(', ')})`);
    else if (references.length !== 1) problems.push(`${references.length} payments for one dossier (${references.join(', ')})`);
  }
  rows.forEach((row, i) => {
    const references = entries.get(paymentKey(row)) ?? [];
    if (references.length === 0) return problems.push(`row ${i + 1}: no payment`);
    const payment = byReference.get(references[0]!)!;
    const form = paymentFormValues(row);
    if (payment.amountCents !== row.advanceCents || payment.iban !== row.iban || payment.motif !== form.motif || payment.settlement !== 'VIR') {
      problems.push(`row ${i + 1}: payment ${payment.reference} does not hold the row's amount, IBAN and motif`);
    }
    const said = reported[i];
    if (said?.status !== 'done' || said.alreadyEntered || said.reference !== payment.reference) {
      problems.push(`row ${i + 1}: reported ${said?.status ?? 'nothing'}${said?.alreadyEntered ? ' (already entered)' : ''} with ${said?.reference ?? 'no reference'}, the back office holds ${payment.reference}`);
    }
  });
  if (problems.length > 0) throw new Error(`${label}: the back office does not hold one right payment per dossier:\n  ${problems.slice(0, 20).join('\n  ')}`);
}

/** Runs the rows through the Robot, `contexts` dossiers at a time, as a worker would. */
async function runRobot(browser: Browser, endpoint: ProgresEndpoint, rows: readonly DipaRow[], contexts: number, prefix: string): Promise<Reported[]> {
  const robot = await Robot.launch({ applications: { progres: endpoint }, concurrency: contexts, recycleAfter: RECYCLE_AFTER, browser, evidenceDir: '.proweb/bench-evidence' });
  const outcomes: Reported[] = new Array(rows.length);
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: contexts }, async () => {
        while (next < rows.length) {
          const index = next++;
          outcomes[index] = await robot.run(dipaPayment, rows[index]!, { dossierId: `${prefix}-${index}` });
        }
      }),
    );
  } finally {
    await robot.close();
  }
  return outcomes;
}

function runVariant(variant: Variant, browser: Browser, endpoint: ProgresEndpoint, rows: readonly DipaRow[], contexts: number, prefix: string): Promise<Reported[]> {
  if (variant === 'robot') return runRobot(browser, endpoint, rows, contexts, prefix);
  return runTunedDipa(browser, endpoint, rows, contexts, RECYCLE_AFTER);
}

/**
 * One measured run on a browser of its own (started and closed outside the clock), the
 * back office reset just before. The clock and the CPU counters cover the dossiers and the
 * closing of the contexts; the entries are checked afterwards.
 */
async function measure(variant: Variant, backOffice: BackOffice, rows: readonly DipaRow[], contexts: number, prefix: string): Promise<RunResult> {
  const { browser } = await launchBrowser();
  try {
    backOffice.state.reset();
    const endpoint = { baseUrl: backOffice.url, ...DEFAULT_USER };
    const loadAtStart = loadavg()[0]!;
    const cpuStart = readCpu();
    const started = performance.now();
    const reported = await runVariant(variant, browser, endpoint, rows, contexts, prefix);
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSince(cpuStart);
    checkEntries(backOffice, rows, reported, `${VARIANT_TITLE[variant]} at ${contexts} context(s)`);
    return { variant, contexts, dossiers: rows.length, seconds, cpu, loadAtStart };
  } finally {
    await browser.close();
  }
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const perDossier = (r: RunResult, seconds: number) => seconds / r.dossiers;
const rate = (r: RunResult) => r.dossiers / r.seconds;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** Round after round, each number of contexts, both variants in an order that alternates. */
async function compare(backOffice: BackOffice, rows: readonly DipaRow[], options: Options): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const variant of ['tuned', 'robot'] as const) await measure(variant, backOffice, rows.slice(0, WARM_UP_ROWS), 1, `warm-${variant}`);
  for (let round = 1; round <= options.rounds; round++) {
    for (const contexts of options.contexts) {
      const order: Variant[] = (round + contexts) % 2 === 0 ? ['tuned', 'robot'] : ['robot', 'tuned'];
      for (const variant of order) {
        const r = await measure(variant, backOffice, rows, contexts, `r${round}-c${contexts}-${variant}`);
        results.push(r);
        console.log(
          `round ${round}, ${contexts} context(s), ${VARIANT_TITLE[variant]}: ${r.dossiers} dossiers in ${r.seconds.toFixed(1)} s, ${rate(r).toFixed(2)}/s, ` +
            `CPU ${perDossier(r, r.cpu.nodeSeconds + r.cpu.browserSeconds).toFixed(3)} s/dossier, load ${r.loadAtStart.toFixed(1)} at start; one payment per dossier checked`,
        );
      }
    }
  }
  return results;
}

/** The table: variant × contexts, medians of the rounds, and the Robot's speed as a share of the script's. */
function printTable(results: readonly RunResult[], options: Options): void {
  console.log('');
  console.log(
    `| variant | contexts | dossiers | dossiers/s (median of ${options.rounds}) | CPU s per dossier | of which Node | of which Chromium | Robot / tuned, dossiers/s | Robot / tuned, CPU per dossier | load at start |`,
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const contexts of options.contexts) {
    const of = (variant: Variant) => results.filter((r) => r.variant === variant && r.contexts === contexts);
    const tunedRate = median(of('tuned').map(rate));
    const tunedCpu = median(of('tuned').map((r) => perDossier(r, r.cpu.nodeSeconds + r.cpu.browserSeconds)));
    for (const variant of ['tuned', 'robot'] as const) {
      const runs = of(variant);
      const node = median(runs.map((r) => perDossier(r, r.cpu.nodeSeconds)));
      const browser = median(runs.map((r) => perDossier(r, r.cpu.browserSeconds)));
      const total = median(runs.map((r) => perDossier(r, r.cpu.nodeSeconds + r.cpu.browserSeconds)));
      const speed = median(runs.map(rate));
      // On a busy machine the wall clock follows the load; CPU per dossier hardly does: both ratios are printed.
      const speedRatio = variant === 'robot' ? (speed / tunedRate).toFixed(2) : '';
      const cpuRatio = variant === 'robot' ? (total / tunedCpu).toFixed(2) : '';
      const loads = runs.map((r) => r.loadAtStart.toFixed(1)).join(', ');
      console.log(
        `| ${VARIANT_TITLE[variant]} | ${contexts} | ${runs[0]?.dossiers ?? 0} | ${speed.toFixed(2)} | ${total.toFixed(3)} | ${node.toFixed(3)} | ${browser.toFixed(3)} | ${speedRatio} | ${cpuRatio} | ${loads} |`,
      );
    }
  }
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const describeRss = (r: RssReading) =>
  `Node ${mib(r.nodeBytes)} MiB + Chromium ${mib(r.browserBytes)} MiB (${r.browserProcesses} processes; PSS ${mib(r.browserPssBytes)} MiB) = ${mib(r.nodeBytes + r.browserBytes)} MiB`;

/**
 * The memory check of issue 11: one Robot, 4 contexts (renewed every {@link RECYCLE_AFTER}
 * dossiers), `dossiers` dossiers, the rows cycled with the back office reset each cycle and
 * checked after it. RSS of Node + Chromium is sampled after each cycle (the contexts idle)
 * and every 2 seconds for the maximum.
 */
async function longRun(backOffice: BackOffice, rows: readonly DipaRow[], dossiers: number): Promise<void> {
  const { browser } = await launchBrowser();
  const robot = await Robot.launch({ applications: { progres: { baseUrl: backOffice.url, ...DEFAULT_USER } }, concurrency: 4, recycleAfter: RECYCLE_AFTER, browser, evidenceDir: '.proweb/bench-evidence' });
  const total = (r: RssReading) => r.nodeBytes + r.browserBytes;
  let max = readRss();
  const sampler = setInterval(() => {
    const now = readRss();
    if (total(now) > total(max)) max = now;
  }, 2_000);
  const afterCycles: RssReading[] = [];
  const started = performance.now();
  try {
    for (let done = 0, cycle = 1; done < dossiers; cycle++) {
      const cycleRows = rows.slice(0, Math.min(rows.length, dossiers - done));
      backOffice.state.reset();
      const outcomes: Reported[] = new Array(cycleRows.length);
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < cycleRows.length) {
            const index = next++;
            outcomes[index] = await robot.run(dipaPayment, cycleRows[index]!, { dossierId: `long-${cycle}-${index}` });
          }
        }),
      );
      checkEntries(backOffice, cycleRows, outcomes, `long run, cycle ${cycle}`);
      done += cycleRows.length;
      const rss = readRss();
      afterCycles.push(rss);
      if (total(rss) > total(max)) max = rss;
      console.log(`cycle ${cycle}: ${done} dossiers, ${((performance.now() - started) / 1000).toFixed(0)} s, ${describeRss(rss)}, load ${load()}`);
    }
  } finally {
    clearInterval(sampler);
    await robot.close();
    await browser.close();
  }
  const first = afterCycles[0]!;
  const last = afterCycles.at(-1)!;
  console.log('');
  console.log(`RSS after the first cycle: ${describeRss(first)}`);
  console.log(`RSS after the last cycle:  ${describeRss(last)}`);
  console.log(`RSS at its highest:        ${describeRss(max)}`);
  const change = (from: number, to: number) => `${to >= from ? '+' : ''}${((to / from - 1) * 100).toFixed(1)} %`;
  console.log(
    `last / first: RSS ${change(total(first), total(last))}, Node + Chromium PSS ${change(first.nodeBytes + first.browserPssBytes, last.nodeBytes + last.browserPssBytes)}; ` +
      `${dossiers} dossiers at ${(dossiers / ((performance.now() - started) / 1000)).toFixed(2)}/s`,
  );
}

async function main(): Promise<void> {
  const options = parseOptions();
  const rows = payableRows(options.rows);
  const browser = findBrowser({ headed: false });
  // Other work on the machine slows the browser down: say how busy it was.
  console.log(`${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, ${browser.executablePath ?? 'Playwright-managed Chromium'} (${browser.source}), ${rows.length} payable DIPA rows, load average ${load()}`);
  const backOffice = await startBackOffice({ port: 0 });
  try {
    if (options.long) {
      await longRun(backOffice, rows, options.longDossiers);
    } else {
      printTable(await compare(backOffice, rows, options), options);
    }
  } finally {
    await backOffice.close();
  }
  console.log('');
  console.log(`load average at the end: ${load()}`);
}

await main();
