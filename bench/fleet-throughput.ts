/**
 * Two figures of the queue path, a benchmark (never a timed test):
 *
 * 1. **Fleet**: dossiers per second with 1, 2 and 3 `proweb worker` processes (each its own
 *    Chromium) on one real redis-server, against the mock back office over HTTP. Contexts per
 *    process: each `--concurrency` level is measured with 1 process and the best is used for
 *    the others (`--grid` measures every level at every process count instead). The jobs are
 *    queued into a paused queue, the workers started, and the clock runs from the moment all
 *    of them are ready and the queue resumes until the ledger counts every dossier.
 * 2. **Queue overhead**: the same submission, BullMQ worker and ledger path with no browser:
 *    a real `DossierWorker` on a stand-in robot that returns `done` at once, plus a bare BullMQ
 *    `Worker` with an empty processor, in milliseconds per dossier (submission and processing
 *    apart).
 *
 * `node --import tsx bench/fleet-throughput.ts [--dossiers 240] [--processes 1,2,3]
 *   [--concurrency 2,4] [--grid] [--queue-jobs 2000] [--queue-concurrency 1,8] [--only fleet|queue]`
 *
 * On 2 cores, other load on the machine changes the figures: the 1-minute load average
 * is printed with each case.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Queue, Worker } from 'bullmq';
import { DeploymentSecret } from '../core/secret.ts';
import { DEFAULT_USER, startBackOffice } from '../fixtures/backoffice/index.ts';
import { dipaCsvRow, formatDipaCsv, type DipaCsvRow } from '../fixtures/data/dipa-csv.ts';
import { Ledger } from '../gains/index.ts';
import { submitCampaign } from '../queue/campaigns/campaign.ts';
import { CampaignRegistry } from '../queue/campaigns/campaign-registry.ts';
import { submitRegisteredCampaign } from '../queue/campaigns/enqueue.ts';
import { queueNameFor } from '../queue/queue-options.ts';
import { createRedis } from '../queue/redis/redis-connection.ts';
import { DossierWorker } from '../queue/fleet/worker.ts';
import type { DossierOutcome, Robot } from '../runner/index.ts';
import { dipaPayment } from '../scenarios/dipa-payment.ts';
import { pollUntil, privateRedis, syntheticDipaRows } from './fleet-bench.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PREFIX = 'bench';
const CAISSE = 'CPAM Lille-Douai';
/** The bench's deployment secret, fresh each run: what it queues here, its worker processes open. */
const SECRET_TEXT = randomBytes(32).toString('base64');
const SECRET = DeploymentSecret.fromText(SECRET_TEXT, 'the bench\'s secret');

const { values: args } = parseArgs({
  options: {
    dossiers: { type: 'string', default: '240' },
    processes: { type: 'string', default: '1,2,3' },
    concurrency: { type: 'string', default: '2,4' },
    grid: { type: 'boolean', default: false },
    'queue-jobs': { type: 'string', default: '2000' },
    'queue-concurrency': { type: 'string', default: '1,8' },
    only: { type: 'string' },
  },
});
const list = (text: string) => text.split(',').map((s) => Number(s.trim()));
const dossiers = Number(args.dossiers);
const processCounts = list(args.processes);
const concurrencyLevels = list(args.concurrency);
const queueJobs = Number(args['queue-jobs']);
const queueLevels = list(args['queue-concurrency']);
const checks: [string, number][] = [['--dossiers', dossiers], ['--queue-jobs', queueJobs], ...processCounts.map((n): [string, number] => ['--processes', n]),
  ...concurrencyLevels.map((n): [string, number] => ['--concurrency', n]), ...queueLevels.map((n): [string, number] => ['--queue-concurrency', n])];
for (const [name, n] of checks) if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: "${n}" is not a positive whole number`);
if (args.only !== undefined && args.only !== 'fleet' && args.only !== 'queue') throw new Error(`--only: "${args.only}" is neither fleet nor queue`);

const load = () => loadavg()[0]!.toFixed(2);

// ---------------------------------------------------------------- fleet of worker processes

/** A `proweb worker` child process; output is kept short (the last few KB) for error messages. */
interface WorkerProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
  exitedWith(): string | undefined;
  tail(): string;
}

function spawnWorker(name: string, concurrency: number, configFile: string, env: NodeJS.ProcessEnv): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'worker', '--name', name, '--scenarios', dipaPayment.id, '--concurrency', String(concurrency), '--config', configFile], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // The worker prints a line per dossier: the pipes are drained so that it never blocks on them.
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.on('close', (code, signal) => {
      exit = `worker ${name} exited (${signal ?? `code ${code}`})`;
      resolve();
    }),
  );
  return { name, child, exited, exitedWith: () => exit, tail: () => output };
}

async function waitForReady(worker: WorkerProcess, timeoutMs = 120_000): Promise<void> {
  const died = () => (worker.exitedWith() ? `${worker.exitedWith()} before it was ready:\n${worker.tail()}` : undefined);
  await pollUntil(() => `worker ${worker.name} ready:\n${worker.tail()}`, () => /ready:/.test(worker.tail()), timeoutMs, died);
}

/** SIGTERM, then SIGKILL if the worker is still there after its grace period and a margin. */
async function stopWorker(worker: WorkerProcess): Promise<void> {
  if (worker.exitedWith()) return;
  worker.child.kill('SIGTERM');
  const killer = setTimeout(() => worker.child.kill('SIGKILL'), 60_000);
  await worker.exited;
  clearTimeout(killer);
}

interface FleetResult {
  processes: number;
  concurrency: number;
  dossiers: number;
  seconds: number;
  load: string;
}

async function fleetCase(processes: number, concurrency: number): Promise<FleetResult> {
  const home = await privateRedis('fleet');
  const backOffice = await startBackOffice({ port: 0 });
  const client = createRedis(home.redis.connection);
  const queue = new Queue(queueNameFor(dipaPayment.id), { connection: home.redis.connection, prefix: PREFIX });
  const workers: WorkerProcess[] = [];
  try {
    const configFile = join(home.dir, 'proweb.config.json');
    await writeFile(configFile, JSON.stringify({
      applications: { progres: { baseUrl: backOffice.url, username: DEFAULT_USER.username, passwordEnv: 'PROGRES_PASSWORD' } },
    }));
    const rows: DipaCsvRow[] = [];
    for (const request of backOffice.state.dipaRequests) {
      const professional = backOffice.state.professionals.get(request.ps);
      if (professional?.conventioned) rows.push(dipaCsvRow(request, professional));
      if (rows.length === dossiers) break;
    }
    if (rows.length < dossiers) throw new Error(`--dossiers ${dossiers}: the back office has only ${rows.length} payable DIPA requests`);
    const file = join(home.dir, `dipa-${dossiers}.csv`);
    await writeFile(file, formatDipaCsv(rows));

    const ledger = new Ledger(client, { prefix: PREFIX });
    // Queued while paused, so that no worker starts before the others are ready.
    await queue.pause();
    // Registered, as `proweb enqueue` does: `proweb worker` refuses a job of a campaign it does not know.
    const submission = await submitRegisteredCampaign({ queue, ledger, registry: new CampaignRegistry(client, { prefix: PREFIX }), scenario: dipaPayment, file, caisse: CAISSE, secret: SECRET });
    if (submission.jobIds.length !== dossiers) throw new Error(`expected ${dossiers} jobs queued, got ${submission.jobIds.length} (${submission.invalidRows} invalid rows)`);

    const env = {
      REDIS_URL: home.redis.url, PROWEB_PREFIX: PREFIX, PROWEB_DATA_DIR: join(home.dir, 'data'),
      PROGRES_PASSWORD: DEFAULT_USER.password, PROWEB_LOG_FILE: join(home.dir, 'workers.log'), PROWEB_SECRET: SECRET_TEXT,
    };
    for (let i = 1; i <= processes; i++) workers.push(spawnWorker(`bench-${i}`, concurrency, configFile, env));
    await Promise.all(workers.map((w) => waitForReady(w)));

    const loadAtStart = load();
    const started = performance.now();
    await queue.resume();
    const endedCount = async () => {
      const c = await ledger.campaignCounts(submission.campaignId);
      return c.done + c.rejected + c.failed;
    };
    let ended = 0;
    await pollUntil(() => `dossiers ended: ${ended} of ${dossiers}`, async () => (ended = await endedCount()) >= dossiers, Math.max(300_000, dossiers * 3_000), () => workers.map((w) => w.exitedWith()).find(Boolean));
    const seconds = (performance.now() - started) / 1000;

    const counts = await ledger.campaignCounts(submission.campaignId);
    if (counts.done !== dossiers) throw new Error(`expected ${dossiers} dossiers done, the ledger has ${JSON.stringify(counts)}`);
    const payments = backOffice.state.payments.length;
    if (payments !== dossiers) throw new Error(`expected ${dossiers} payments, the back office holds ${payments}`);
    return { processes, concurrency, dossiers, seconds, load: loadAtStart };
  } finally {
    await Promise.all(workers.map(stopWorker));
    await queue.close();
    await client.quit();
    await backOffice.close();
    await home.close();
  }
}

async function fleet(): Promise<void> {
  console.log(`\n## Fleet: ${dossiers} DIPA dossiers by \`proweb worker\` processes on one Redis (${cpus().length} cores; load average now ${load()})\n`);
  const results: FleetResult[] = [];
  const print = (r: FleetResult) => {
    const base = results.find((b) => b.processes === 1 && b.concurrency === r.concurrency);
    const rate = r.dossiers / r.seconds;
    const speedUp = base ? (rate / (base.dossiers / base.seconds)).toFixed(2) : '—';
    console.log(`| ${r.processes} | ${r.concurrency} | ${r.dossiers} | ${r.seconds.toFixed(1)} | ${rate.toFixed(2)} | ${speedUp} | ${r.load} |`);
  };
  console.log('| processes | contexts per process | dossiers | seconds | dossiers/s | speed-up vs 1 process | load (1 min) at start |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  const run = async (processes: number, concurrency: number) => {
    const r = await fleetCase(processes, concurrency);
    results.push(r);
    print(r);
  };
  const others = processCounts.filter((p) => p !== 1);
  if (args.grid) {
    for (const c of concurrencyLevels) for (const p of [1, ...others]) await run(p, c);
    return;
  }
  for (const c of concurrencyLevels) await run(1, c);
  const best = results.reduce((a, b) => (b.dossiers / b.seconds > a.dossiers / a.seconds ? b : a));
  for (const p of others) await run(p, best.concurrency);
  console.log(`\nBest contexts per process with 1 process: ${best.concurrency}; used for ${others.join(' and ') || 'no other'} processes.`);
}

// ---------------------------------------------------------------- queue overhead, no browser

interface QueueResult {
  path: string;
  concurrency: number;
  jobs: number;
  submitMs: number;
  processMs: number;
  load: string;
}

/**
 * One campaign of `jobs` dossiers through `submitCampaign` and then either a real
 * `DossierWorker` (ledger check, row parsed, ledger entry) on a stand-in robot, or a
 * bare BullMQ worker whose processor does nothing.
 */
async function queueCase(path: 'DossierWorker' | 'bare BullMQ', concurrency: number): Promise<QueueResult> {
  const home = await privateRedis('queue');
  const client = createRedis(home.redis.connection);
  const connection = home.redis.connection;
  const queue = new Queue(queueNameFor(dipaPayment.id), { connection, prefix: PREFIX });
  const ledger = new Ledger(client, { prefix: PREFIX });
  let close: () => Promise<void> = async () => undefined;
  try {
    const file = join(home.dir, `dipa-${queueJobs}.csv`);
    await writeFile(file, formatDipaCsv(syntheticDipaRows(queueJobs)));
    await queue.pause();
    const submitStarted = performance.now();
    const submission = await submitCampaign({ queue, ledger, scenario: dipaPayment, file, caisse: CAISSE, secret: SECRET });
    const submitMs = performance.now() - submitStarted;
    if (submission.jobIds.length !== queueJobs) throw new Error(`expected ${queueJobs} jobs queued, got ${submission.jobIds.length} (${submission.invalidRows} invalid rows)`);

    let finished = 0;
    let allFinished!: () => void;
    const done = new Promise<void>((resolve) => (allFinished = resolve));
    const count = () => {
      if (++finished === queueJobs) allFinished();
    };
    if (path === 'DossierWorker') {
      let n = 0;
      // Not a browser: a stand-in that answers at once, so that what is measured is the queue's
      // and the ledger's share of a dossier. It has what DossierWorker uses of a Robot (its
      // concurrency and run()); Robot's private members make the cast go through unknown.
      const robot = {
        concurrency,
        run: async (): Promise<DossierOutcome> => ({ status: 'done', reference: `X-${++n}`, alreadyEntered: false, robotMs: 0 }),
      } as unknown as Robot;
      const worker = new DossierWorker({ connection, prefix: PREFIX, robot, ledger, secret: SECRET, scenarios: [dipaPayment], machine: 'bench' });
      close = () => worker.close();
      worker.on('finished', count);
      await worker.waitUntilReady();
    } else {
      const worker = new Worker(queueNameFor(dipaPayment.id), async () => count(), { connection, prefix: PREFIX, concurrency });
      close = () => worker.close();
      await worker.waitUntilReady();
    }
    const loadAtStart = load();
    const processStarted = performance.now();
    await queue.resume();
    await done;
    const processMs = performance.now() - processStarted;
    if (path === 'DossierWorker') {
      const counts = await ledger.campaignCounts(submission.campaignId);
      if (counts.done !== queueJobs) throw new Error(`expected ${queueJobs} dossiers done, the ledger has ${JSON.stringify(counts)}`);
    }
    return { path, concurrency, jobs: queueJobs, submitMs, processMs, load: loadAtStart };
  } finally {
    await close();
    await queue.close();
    await client.quit();
    await home.close();
  }
}

async function queueOverhead(): Promise<void> {
  console.log(`\n## Queue overhead: ${queueJobs} dossiers, no browser (${cpus().length} cores; load average now ${load()})\n`);
  console.log('The robot is a stand-in that returns `done` at once (bench only, to isolate the queue): what remains is');
  console.log('`submitCampaign` (read, validate, ledger check, one job per row) and the worker (BullMQ, ledger check, row parsed, ledger entry).\n');
  console.log('| path | concurrency | dossiers | submit ms/dossier | process ms/dossier | processed dossiers/s | load (1 min) at start |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const path of ['DossierWorker', 'bare BullMQ'] as const) {
    for (const c of queueLevels) {
      const r = await queueCase(path, c);
      console.log(`| ${r.path} | ${r.concurrency} | ${r.jobs} | ${(r.submitMs / r.jobs).toFixed(3)} | ${(r.processMs / r.jobs).toFixed(3)} | ${Math.round(r.jobs / (r.processMs / 1000))} | ${r.load} |`);
    }
  }
}

if (args.only !== 'queue') await fleet();
if (args.only !== 'fleet') await queueOverhead();
