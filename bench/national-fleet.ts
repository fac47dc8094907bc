/**
 * The fleet half of the national year (issue 12, point 5): a simulated fleet of BullMQ workers at
 * the national peak rate, on one private redis-server, with no browser.
 *
 * `node --import tsx bench/national-fleet.ts [--rate 30] [--seconds 60] [--robot-ms 400]
 *   [--processes 2] [--machines 2434] [--heartbeat-ms 10000] [--monitor]`
 *
 * - **Peak rate**: 2020's 33.6 M dossiers over 262 weekdays is 128 400 a weekday, 4.5/s over an
 *   8-hour day; the spring of 2020 (DIPA, forfaits, primes covid) ran at several times the mean
 *   day. 30/s (`--rate`) is taken as the national peak: about 6.7 times the mean.
 * - **Fleet**: `--processes` worker processes, each holding real `DossierWorker`s (the code path
 *   of `proweb worker`: payload opened with the deployment secret, campaign state, application
 *   pauses and ledger check read in one script, commit claim, ledger record with its rollups, job
 *   scrubbed). Each `DossierWorker` is a simulated machine with one context, as many as make the
 *   peak rate with the robot time: `rate × robot-ms` of them, spread over the processes.
 * - **Stand-in robot** (bench only, to isolate the queue's share; tests never do this): it sleeps
 *   `--robot-ms` per dossier (the best measured robot time, docs/benchmarks.md), takes the commit
 *   claim as the real robot does before its click, and returns done (5 % rejected).
 * - **Heartbeats**: the real `Heartbeat` of `queue/fleet/machines.ts` for `--machines` names, each at its
 *   real interval (10 s), started spread over the interval, all in this process.
 *
 * `rate × seconds` dossiers are queued (submitRegisteredCampaign, payloads sealed) into a paused
 * queue; the clock runs from the resume until the ledger counts them all.
 *
 * Measured: dossiers/s reached; Redis CPU (INFO `used_cpu_sys + used_cpu_user` over the run's
 * wall time); per-dossier queue overhead, the time a machine spends between the end of one robot
 * run and the start of the next (the job finished, recorded, the next fetched, opened, checked)
 * plus its commit claim, as a share of the robot time; the worker processes' CPU per dossier.
 *
 * `--monitor` also lists, per dossier, the commands the clients sent during the peak (a
 * dossier's round trips; the commands scripts run inside them are not counted), by command and
 * first key; heartbeats and the bench's own probes left out. MONITOR slows Redis: that run's
 * other figures are not to be compared with a run without it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DeploymentSecret } from '../core/secret.ts';
import { formatDipaCsv } from '../fixtures/data/dipa-csv.ts';
import { Ledger } from '../gains/index.ts';
import { ApplicationPauses } from '../queue/fleet/application-pauses.ts';
import { CampaignRegistry } from '../queue/campaigns/campaign-registry.ts';
import { submitRegisteredCampaign } from '../queue/campaigns/enqueue.ts';
import { Heartbeat } from '../queue/fleet/machines.ts';
import { queueNameFor } from '../queue/queue-options.ts';
import { createRedis } from '../queue/redis/redis-connection.ts';
import { DossierWorker } from '../queue/fleet/worker.ts';
import type { DossierOutcome, Robot } from '../runner/index.ts';
import type { CommitGate } from '../runner/commit-gate.ts';
import { dipaPayment } from '../scenarios/dipa-payment.ts';
import { pollUntil, privateRedis, syntheticDipaRows } from './fleet-bench.ts';

const PREFIX = 'national';
const CAISSE = 'CPAM Lille-Douai';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '60' },
    'robot-ms': { type: 'string', default: '400' },
    processes: { type: 'string', default: '2' },
    machines: { type: 'string', default: '2434' },
    'heartbeat-ms': { type: 'string', default: '10000' },
    monitor: { type: 'boolean', default: false },
    /** Internal: this process is one of the fleet's worker processes. */
    child: { type: 'string' },
  },
});
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const ROBOT_MS = Number(args['robot-ms']);
const PROCESSES = Number(args.processes);
const MACHINES = Number(args.machines);
const HEARTBEAT_MS = Number(args['heartbeat-ms']);
for (const [name, n] of Object.entries({ '--rate': RATE, '--seconds': SECONDS, '--robot-ms': ROBOT_MS, '--processes': PROCESSES, '--machines': MACHINES, '--heartbeat-ms': HEARTBEAT_MS })) {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: "${n}" is not a positive whole number`);
}

/** What a worker process reports on stdout when the queue is drained of its share. */
interface ChildReport {
  dossiers: number;
  /** Sum over machines of the gaps between one robot run's end and the next's start, ms. */
  gapMs: number;
  gaps: number;
  claimMs: number;
  robotMs: number;
  cpuMs: number;
  errors: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- a worker process

async function child(spec: string): Promise<void> {
  const { connection, secret, machines, first } = JSON.parse(spec) as { connection: { path: string }; secret: string; machines: number; first: number };
  const deploymentSecret = DeploymentSecret.fromText(secret, 'the bench\'s secret');
  const client = createRedis(connection);
  const ledger = new Ledger(client, { prefix: PREFIX });
  const registry = new CampaignRegistry(client, { prefix: PREFIX });
  const pauses = new ApplicationPauses(client, { prefix: PREFIX });
  const report: ChildReport = { dossiers: 0, gapMs: 0, gaps: 0, claimMs: 0, robotMs: 0, cpuMs: 0, errors: [] };
  const workers: DossierWorker[] = [];
  let measuring = false;
  let cpuAtStart = process.cpuUsage();
  for (let m = 0; m < machines; m++) {
    let lastEnd: number | undefined;
    let n = 0;
    // Not a browser: what DossierWorker uses of a Robot (its concurrency and run()).
    const robot = {
      concurrency: 1,
      run: async (_scenario: unknown, _row: unknown, meta: { dossierId: string; commitGate?: CommitGate }): Promise<DossierOutcome> => {
        const start = performance.now();
        if (!measuring) {
          measuring = true;
          cpuAtStart = process.cpuUsage();
        }
        if (lastEnd !== undefined) {
          report.gapMs += start - lastEnd;
          report.gaps++;
        }
        await sleep(ROBOT_MS);
        if (meta.commitGate) {
          const t = performance.now();
          const claim = await meta.commitGate.claim({ step: '9', timeoutMs: 10_000 });
          report.claimMs += performance.now() - t;
          if (!claim.granted) report.errors.push(`commit claim refused: ${claim.reason}`);
        }
        const robotMs = Math.round(performance.now() - start);
        report.robotMs += robotMs;
        lastEnd = performance.now();
        n++;
        // One in twenty refused by the back office, as the year's 5 %.
        return n % 20 === 0 ? { status: 'rejected', reason: 'Refus : PS non conventionné', robotMs } : { status: 'done', reference: `PRG-${first + m}-${n}`, alreadyEntered: false, robotMs };
      },
    } as unknown as Robot;
    const worker = new DossierWorker({
      connection, prefix: PREFIX, robot, ledger, secret: deploymentSecret, scenarios: [dipaPayment], machine: `robot-${String(first + m).padStart(4, '0')}`,
      campaigns: registry, applicationPauses: pauses,
    });
    worker.on('finished', (f) => {
      report.dossiers++;
      if (f.status === 'failed') report.errors.push(`failed: ${f.reason}`);
    });
    worker.on('retrying', (r) => report.errors.push(`retrying: ${r.error.message}`));
    workers.push(worker);
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  process.stdout.write('ready\n');
  // The parent says when the queue is drained: then this process reports and stops.
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const cpu = process.cpuUsage(cpuAtStart);
  report.cpuMs = (cpu.user + cpu.system) / 1000;
  process.stdout.write(`report ${JSON.stringify(report)}\n`);
  await Promise.all(workers.map((w) => w.close()));
  await client.quit();
}

// ---------------------------------------------------------------- the parent

/**
 * A command a client sent, by kind: the command (a script by its number of keys) and its first
 * key, ids masked. Undefined for the heartbeats' and the bench's own probes.
 */
function kindOf(args: readonly string[]): string | undefined {
  const [name = '', ...rest] = args;
  const command = name.toLowerCase();
  const script = command === 'eval' || command === 'evalsha';
  const key = (script ? rest[2] : rest[0]) ?? '';
  if (['ping', 'info', 'multi', 'exec', 'monitor'].includes(command) || key.startsWith(`${PREFIX}:machine`)) return undefined;
  if (command === 'hgetall' && /^[^:]+:ledger:campaign:[^:]+:counts$/.test(key)) return undefined;
  const masked = key.replace(/[0-9a-f]{24}/g, '<dossier>').replace(/\d{4}-\d\d-\d\d-[0-9a-f]+/g, '<campaign>').replace(/:w\d+(:[0-9a-f]{3})?/g, ':w<week>');
  return script ? `script (${rest[1]} keys) ${masked}` : `${command} ${masked}`;
}

/**
 * Counts, by {@link kindOf}, the commands clients send (not those run inside scripts) until
 * `stop`, read from `redis-cli monitor` (Debian's redis-tools, installed with redis-server).
 */
async function countSentCommands(connection: { path: string }): Promise<{ counts: Map<string, number>; stop(): Promise<void> }> {
  const monitor = spawn('redis-cli', ['-s', connection.path, 'monitor'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const counts = new Map<string, number>();
  let pending = '';
  monitor.stdout!.on('data', (d: Buffer) => {
    const lines = (pending + d.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      // 1796318481.237891 [0 unix:/tmp/…/redis.sock] "hset" "national:machine:robot-0012" …; [0 lua] inside a script.
      const m = /^[\d.]+ \[\d+ (\S+)\] (.*)$/.exec(line);
      if (!m || m[1] === 'lua') continue;
      const kind = kindOf([...m[2]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((a) => a[1]!));
      if (kind) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
  });
  const exited = new Promise((r) => monitor.once('close', r));
  // Monitoring once the first line came (the heartbeats never stop).
  await new Promise((r) => monitor.stdout!.once('data', r));
  return {
    counts,
    stop: async () => {
      monitor.kill('SIGTERM');
      await exited;
    },
  };
}

async function commandsProcessed(redis: Redis): Promise<number> {
  return Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))![1]);
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return field('used_cpu_sys') + field('used_cpu_user');
}

interface Fleet {
  child: ChildProcess;
  output(): string;
  exited(): string | undefined;
}

function spawnChild(spec: object): Fleet {
  const self = fileURLToPath(import.meta.url);
  const proc = spawn(process.execPath, ['--import', 'tsx', self, '--child', JSON.stringify(spec), '--robot-ms', String(ROBOT_MS)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let exit: string | undefined;
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8_000)));
  proc.on('close', (code, signal) => (exit = `worker process exited (${signal ?? `code ${code}`})`));
  return { child: proc, output: () => out, exited: () => exit };
}

/** The first worker process that died, with what it said. */
const deadIn = (fleet: Fleet[]) => () => {
  const dead = fleet.find((f) => f.exited());
  return dead ? `${dead.exited()}\n${dead.output()}` : undefined;
};

async function main(): Promise<void> {
  const home = await privateRedis('national-fleet');
  const connection = home.redis.connection as { path: string };
  const client = createRedis(connection);
  const beatsClient = createRedis(connection);
  const queue = new Queue(queueNameFor(dipaPayment.id), { connection, prefix: PREFIX });
  const secretText = randomBytes(32).toString('base64');
  const fleet: Fleet[] = [];
  const beats: Heartbeat[] = [];
  try {
    const dossiers = RATE * SECONDS;
    const slots = Math.max(PROCESSES, Math.round((RATE * ROBOT_MS) / 1000));
    console.log(`\n## National fleet: ${dossiers} dossiers at ${RATE}/s, ${slots} simulated machines of one context in ${PROCESSES} processes, stand-in robot ${ROBOT_MS} ms, ${MACHINES} heartbeats every ${HEARTBEAT_MS / 1000} s (${cpus().length} cores; load average ${loadavg()[0]!.toFixed(2)})\n`);

    const file = join(home.dir, 'dipa.csv');
    await writeFile(file, formatDipaCsv(syntheticDipaRows(dossiers)));
    const ledger = new Ledger(client, { prefix: PREFIX });
    await queue.pause();
    let t0 = performance.now();
    const submission = await submitRegisteredCampaign({
      queue, ledger, registry: new CampaignRegistry(client, { prefix: PREFIX }), scenario: dipaPayment, file, caisse: CAISSE,
      secret: DeploymentSecret.fromText(secretText, 'the bench\'s secret'),
    });
    const submitMs = performance.now() - t0;
    if (submission.jobIds.length !== dossiers) throw new Error(`expected ${dossiers} jobs queued, got ${submission.jobIds.length}`);

    for (let p = 0; p < PROCESSES; p++) {
      const machines = Math.floor(slots / PROCESSES) + (p < slots % PROCESSES ? 1 : 0);
      fleet.push(spawnChild({ connection, secret: secretText, machines, first: 1 + p * 1000 }));
    }
    await pollUntil('worker processes ready', () => fleet.every((f) => /^ready$/m.test(f.output())), 120_000, deadIn(fleet));

    // The fleet's heartbeats, started spread over one interval as real machines are.
    for (let i = 0; i < MACHINES; i++) {
      beats.push(new Heartbeat(beatsClient as Redis, { prefix: PREFIX, name: `robot-${String(i + 1).padStart(4, '0')}`, scenarios: [dipaPayment.id], concurrency: 4, heartbeatMs: HEARTBEAT_MS, running: () => 2 }));
    }
    const spread = HEARTBEAT_MS / MACHINES;
    t0 = performance.now();
    const beatsStarted = (async () => {
      for (const [i, beat] of beats.entries()) {
        await beat.start();
        const next = (i + 1) * spread - (performance.now() - t0);
        if (next > 0) await sleep(next);
      }
    })();
    await sleep(HEARTBEAT_MS); // one whole interval of beats before the peak starts
    await beatsStarted;

    const memoryBefore = Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
    const cpuBefore = await redisCpuSeconds(client);
    const commandsBefore = await commandsProcessed(client);
    const sent = args.monitor ? await countSentCommands(connection) : undefined;
    const started = performance.now();
    await queue.resume();
    let pings = 0;
    let pingMs = 0;
    const ended = async () => {
      // A round trip on the loaded machine, to read the overhead against: a dossier makes a dozen.
      const t = performance.now();
      await client.ping();
      pingMs += performance.now() - t;
      pings++;
      const c = await ledger.campaignCounts(submission.campaignId);
      return c.done + c.rejected + c.failed >= dossiers;
    };
    await pollUntil('dossiers ended', ended, Math.max(600_000, SECONDS * 10_000), deadIn(fleet));
    const wallS = (performance.now() - started) / 1000;
    const redisCpuS = (await redisCpuSeconds(client)) - cpuBefore;
    const commands = (await commandsProcessed(client)) - commandsBefore;
    await sent?.stop();
    const memoryAfter = Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
    const counts = await ledger.campaignCounts(submission.campaignId);

    for (const f of fleet) f.child.stdin!.write('report\n');
    await pollUntil('worker reports', () => fleet.every((f) => /^report /m.test(f.output())), 60_000, deadIn(fleet));
    const reports = fleet.map((f) => JSON.parse(/^report (.*)$/m.exec(f.output())![1]!) as ChildReport);
    const sum = (k: 'dossiers' | 'gapMs' | 'gaps' | 'claimMs' | 'robotMs' | 'cpuMs') => reports.reduce((s, r) => s + r[k], 0);
    const errors = reports.flatMap((r) => r.errors);
    const expectedRejected = reports.length > 0 ? counts.rejected : 0;
    if (counts.done + counts.rejected !== dossiers || counts.failed !== 0) errors.push(`ledger counts ${JSON.stringify(counts)}`);

    const gapMs = sum('gapMs') / sum('gaps');
    const claimMs = sum('claimMs') / sum('dossiers');
    const overheadMs = gapMs + claimMs;
    const robotMs = sum('robotMs') / sum('dossiers') - claimMs;
    console.log('| figure | value |');
    console.log('|---|---:|');
    console.log(`| dossiers (done + rejected) | ${counts.done} + ${expectedRejected} |`);
    console.log(`| dossiers/s reached (aimed ${RATE}) | ${(dossiers / wallS).toFixed(1)} |`);
    console.log(`| Redis CPU at peak (sys + user / wall) | ${((redisCpuS / wallS) * 100).toFixed(1)} % of one core |`);
    console.log(`| Redis memory before → after the peak | ${(memoryBefore / 1024 ** 2).toFixed(1)} → ${(memoryAfter / 1024 ** 2).toFixed(1)} MB |`);
    console.log(`| queue overhead per dossier (between robot runs + commit claim) | ${overheadMs.toFixed(1)} ms (${gapMs.toFixed(1)} + ${claimMs.toFixed(1)}) |`);
    console.log(`| … as a share of the robot time (${robotMs.toFixed(0)} ms) | **${((overheadMs / robotMs) * 100).toFixed(2)} %** |`);
    // A beat is MULTI, HSET, PEXPIRE, ZADD, EXEC.
    const beatCommands = (MACHINES * 5 * wallS * 1000) / HEARTBEAT_MS;
    console.log(`| Redis commands per dossier (heartbeats' ${Math.round(beatCommands / wallS)}/s taken out) | ${((commands - beatCommands) / dossiers).toFixed(1)} |`);
    console.log(`| a PING's round trip during the peak (mean) | ${(pingMs / pings).toFixed(2)} ms |`);
    console.log(`| worker processes' CPU per dossier | ${(sum('cpuMs') / sum('dossiers')).toFixed(2)} ms |`);
    console.log(`| submission (read, validate, seal, queue) per dossier | ${(submitMs / dossiers).toFixed(2)} ms |`);
    console.log(`| errors | ${errors.length === 0 ? 'none' : errors.slice(0, 5).join('; ')} |`);
    if (sent) {
      const perDossier = [...sent.counts].map(([kind, n]): [string, number] => [kind, n / dossiers]).sort((a, b) => b[1] - a[1]);
      console.log(`\nCommands the clients sent during the peak, per dossier (under MONITOR; scripts' inner commands, heartbeats and the bench's probes left out): ${perDossier.reduce((t, [, n]) => t + n, 0).toFixed(1)}\n`);
      console.log('| command, first key | per dossier |');
      console.log('|---|---:|');
      for (const [kind, n] of perDossier) if (n >= 0.05) console.log(`| ${kind} | ${n.toFixed(2)} |`);
    }
    console.log(`\nLoad average at the end: ${loadavg()[0]!.toFixed(2)}.`);
    if (errors.length > 0) process.exitCode = 1;
  } finally {
    await Promise.all(beats.map((b) => b.close()));
    for (const f of fleet) if (!f.exited()) f.child.kill('SIGTERM');
    await Promise.all(fleet.map((f) => (f.exited() ? undefined : new Promise((r) => f.child.once('close', r)))));
    await queue.close();
    await beatsClient.quit();
    await client.quit();
    await home.close();
  }
}

if (args.child !== undefined) await child(args.child);
else await main();
