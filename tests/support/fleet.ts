import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { expect } from 'vitest';
import { DEFAULT_USER, type BackOffice } from '../../fixtures/backoffice/index.ts';
import { Ledger, type LedgerEntry } from '../../gains/index.ts';
import type { CampaignSubmission } from '../../queue/campaigns/campaign.ts';
import { CampaignRegistry } from '../../queue/campaigns/campaign-registry.ts';
import { submitRegisteredCampaign } from '../../queue/campaigns/enqueue.ts';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../queue/redis/embedded-redis.ts';
import { queueNameFor } from '../../queue/queue-options.ts';
import { createRedis } from '../../queue/redis/redis-connection.ts';
import type { Scenario } from '../../scenarios/dsl/index.ts';
import { duplicatesIn, entryCount } from './backoffice-entries.ts';
import { startCli, type CliProcess } from './cli.ts';
import { eventually, untilReached } from './eventually.ts';
import { entriesOf } from './ledger.ts';
import { testSecret } from './secret.ts';

/**
 * A fleet for fault tests: a Redis of its own (append-only file, fsync every second, as a
 * deployment must run it; restartable after a kill -9), `proweb worker` processes (each its
 * own Chromium) and the mock back office in this process, where the faults are armed and
 * what the applications really recorded is counted.
 */
export interface Fleet {
  redis: EmbeddedRedis;
  prefix: string;
  ledger: Ledger;
  workers: CliProcess[];
  /** Starts one more `proweb worker` and waits until it takes dossiers. */
  startWorker(name: string): Promise<CliProcess>;
  /** Submits the file as a campaign of the scenario, registered and sealed with the tests' secret. */
  submit(file: string): Promise<CampaignSubmission>;
  /** Waits until the campaign's dossiers all ended in the ledger, for as long as it progresses. */
  ended(campaignId: string, count: number): Promise<void>;
  /** kill -9 of Redis, then a restart on its data folder. */
  crashRedis(): Promise<void>;
  /** The lines of a worker's log (pino JSON), parsed. */
  logOf(name: string): Promise<{ msg: string; [k: string]: unknown }[]>;
  close(): Promise<void>;
}

export interface FleetOptions {
  backOffice: BackOffice;
  scenario: Scenario<any>;
  /** The application ids the scenario needs, all served by the mock back office. */
  applications: readonly string[];
  /** @defaultValue 4_000 */
  lockDurationMs?: number;
  /** @defaultValue 6_000 */
  stepTimeoutMs?: number;
  /** @defaultValue 2 */
  concurrency?: number;
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const dir = await mkdtemp(join(tmpdir(), 'proweb-fleet-'));
  const redisDir = join(dir, 'redis');
  let redis = await startEmbeddedRedis({ dataDir: redisDir });
  const client = createRedis(redis.connection);
  client.on('error', () => undefined);
  const prefix = 'fleet';
  const ledger = new Ledger(client, { prefix });
  const configFile = join(dir, 'proweb.config.json');
  const lockDurationMs = options.lockDurationMs ?? 4_000;
  await writeFile(configFile, JSON.stringify({
    applications: Object.fromEntries(options.applications.map((id) => [id, { baseUrl: options.backOffice.url, username: DEFAULT_USER.username, passwordEnv: 'BACKOFFICE_PASSWORD' }])),
    stepTimeoutMs: options.stepTimeoutMs ?? 6_000,
    worker: { lockDurationMs, stalledIntervalMs: Math.max(1_000, lockDurationMs / 2), heartbeatMs: 1_000, gracePeriodMs: 0 },
  }));
  const workers: CliProcess[] = [];
  const logFile = (name: string) => join(dir, `${name}.log`);

  const fleet: Fleet = {
    get redis() { return redis; },
    prefix,
    ledger,
    workers,
    async startWorker(name) {
      const worker = startCli(['worker', '--name', name, '--scenarios', options.scenario.id, '--concurrency', String(options.concurrency ?? 2), '--config', configFile], {
        REDIS_URL: redis.url, PROWEB_PREFIX: prefix, PROWEB_DATA_DIR: join(dir, name), BACKOFFICE_PASSWORD: DEFAULT_USER.password, PROWEB_LOG_FILE: logFile(name),
      });
      workers.push(worker);
      await worker.waitFor(/ready/);
      return worker;
    },
    async submit(file) {
      const queue = new Queue(queueNameFor(options.scenario.id), { connection: redis.connection, prefix });
      try {
        // Registered, as `proweb enqueue` does: a worker refuses a job of a campaign its deployment does not know.
        return await submitRegisteredCampaign({ queue, ledger, registry: new CampaignRegistry(client, { prefix }), scenario: options.scenario, file, caisse: 'CPAM Lille-Douai', secret: testSecret });
      } finally {
        await queue.close();
      }
    },
    async ended(campaignId, count) {
      await untilReached(async () => {
        const c = await ledger.campaignCounts(campaignId);
        return c.done + c.rejected + c.failed;
      }, count, `dossiers of campaign ${campaignId} ended`);
    },
    async crashRedis() {
      process.kill(redis.pid, 'SIGKILL');
      await redis.close();
      redis = await startEmbeddedRedis({ dataDir: redisDir });
    },
    async logOf(name) {
      const text = await readFile(logFile(name), 'utf8').catch(() => '');
      return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string });
    },
    async close() {
      for (const w of workers.splice(0)) {
        w.kill('SIGCONT');
        w.kill('SIGKILL');
        await w.exited;
      }
      client.disconnect();
      await redis.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fleet;
}

/** What one fault test ends with, printed for the record and checked. */
export interface FaultOutcome {
  fault: string;
  dossiers: number;
  done: number;
  rejected: number;
  failed: number;
  duplicates: number;
  seconds: number;
}

/**
 * The exactly-once check, read from the application's own state and the ledger: no business
 * key entered twice; every entry the robots made is a dossier the ledger holds done with that
 * reference; every dossier done in the ledger is in the application; no dossier lost or stuck
 * in the queue; no possible duplicate raised.
 */
export async function expectExactlyOnce(fleet: Fleet, options: {
  fault: string;
  startedAt: number;
  campaignId: string;
  dossiers: number;
  scenario: Scenario<any>;
  /** The application's entries per business key. */
  entries: () => ReadonlyMap<string, readonly string[]>;
  /** References the application held before the campaign (seeded entries). */
  before?: ReadonlySet<string>;
}): Promise<FaultOutcome> {
  const entries = options.entries();
  const duplicates = duplicatesIn(entries);
  const ledgerEntries: LedgerEntry[] = (await entriesOf(fleet.ledger)).filter((e) => e.campaignId === options.campaignId);
  const counts = await fleet.ledger.campaignCounts(options.campaignId);
  const outcome: FaultOutcome = {
    fault: options.fault, dossiers: options.dossiers, done: counts.done, rejected: counts.rejected, failed: counts.failed,
    duplicates: duplicates.length, seconds: Math.round((Date.now() - options.startedAt) / 100) / 10,
  };
  console.info(`exactly-once | ${outcome.fault} | in ${outcome.dossiers} | done ${outcome.done} | rejected ${outcome.rejected} | failed ${outcome.failed} | duplicates ${outcome.duplicates} | ${outcome.seconds} s`);

  expect(duplicates, 'business keys entered twice in the application').toEqual([]);
  expect(ledgerEntries.map((e) => e.dossierId).length, 'one ledger entry per dossier').toBe(new Set(ledgerEntries.map((e) => e.dossierId)).size);
  expect(counts.done + counts.rejected + counts.failed, 'every dossier ended').toBe(options.dossiers);
  const made = new Set([...entries.values()].flat().filter((r) => !options.before?.has(r)));
  const doneReferences = new Set(ledgerEntries.filter((e) => e.status === 'done').map((e) => e.reference));
  for (const reference of made) expect(doneReferences.has(reference), `entry ${reference} is recorded done in the ledger`).toBe(true);
  for (const reference of doneReferences) expect(entries.size > 0 && [...entries.values()].some((refs) => refs.includes(reference!)), `done ${reference} is in the application`).toBe(true);
  expect(entryCount(entries) - (options.before?.size ?? 0), 'entries made = dossiers done and entered').toBe(made.size);
  expect(await fleet.ledger.possibleDuplicates(options.campaignId)).toBe(0);

  const queue = new Queue(queueNameFor(options.scenario.id), { connection: fleet.redis.connection, prefix: fleet.prefix });
  try {
    // Wait for the queue to settle: a job records its ledger entry just before BullMQ completes it.
    await eventually(async () => {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) === 0;
    }, 'no dossier left waiting, active or delayed');
  } finally {
    await queue.close();
  }
  return outcome;
}
