import { hostname } from 'node:os';
import { resolveEndpoints } from '../../core/config.ts';
import { ConfigError } from '../../core/errors.ts';
import { scrubText } from '../../core/personal-data.ts';
import { Ledger, ledgerOptionsOf } from '../../gains/index.ts';
import { CampaignRegistry } from '../../queue/campaigns/campaign-registry.ts';
import { DropSubmitter } from '../../queue/campaigns/schedules.ts';
import { ApplicationPauses } from '../../queue/fleet/application-pauses.ts';
import { Heartbeat } from '../../queue/fleet/machines.ts';
import { DossierWorker } from '../../queue/fleet/worker.ts';
import { Robot } from '../../runner/index.ts';
import { catalogue, findScenario } from '../../scenarios/catalogue.ts';
import { capacityGateFor } from '../capacity.ts';
import { applicationPauseText } from '../application-pause-text.ts';
import { deploymentSecretFor, type CommandContext } from '../context.ts';
import type { WorkerOptions } from '../program/worker.ts';
import { loadConfigWithRedis, openRedis } from '../redis.ts';

/**
 * `proweb worker`: a robot machine of the fleet. Takes the dossiers of the scenarios
 * it may run from the shared Redis, one browser with N contexts, until a signal:
 * then it takes nothing new, lets running dossiers finish within the grace period,
 * hands back those that could not, closes the browser and exits.
 */
export async function workerCommand(opts: WorkerOptions, ctx: CommandContext): Promise<number> {
  const config = await loadConfigWithRedis(opts);
  if (!config.redisUrl) {
    throw new ConfigError(
      'a worker needs the fleet\'s shared Redis: give --redis redis://host:6379 (or rediss:// for TLS) or set REDIS_URL',
      'To run one file on this machine alone, use `proweb run`, which starts a private Redis itself.',
    );
  }
  const scenarios = (opts.scenarios ?? [...catalogue.keys()]).map((id) => findScenario(id));
  const endpoints = resolveEndpoints(config);
  const missing = scenarios.flatMap((s) => s.applications.filter((a) => !endpoints[a.id]).map((a) => `${s.id} needs "${a.id}"`));
  if (missing.length > 0) {
    throw new ConfigError(`applications missing from the configuration: ${missing.join(', ')}`, 'Add them under "applications" in proweb.config.json, or limit this machine with --scenarios.');
  }
  // The same secret as every other machine's: it opens the jobs they queue.
  const secret = await deploymentSecretFor(config);
  const name = opts.name ?? config.machine ?? hostname();
  const concurrency = opts.concurrency ?? config.concurrency;
  const gracePeriodMs = opts.grace !== undefined ? opts.grace * 1000 : config.worker.gracePeriodMs;
  const logger = ctx.openLogger(config).child({ machine: name });
  const redis = await openRedis(config, ctx.closer);
  const ledger = new Ledger(redis.client, ledgerOptionsOf(config));
  const robot = ctx.closer.add(
    'browser',
    await Robot.launch({ applications: endpoints, concurrency, evidenceDir: `${config.dataDir}/evidence`, defaultTimeoutMs: config.stepTimeoutMs, logger }),
    (r) => r.close(),
  );
  const registry = new CampaignRegistry(redis.client, { prefix: config.prefix });
  const capacity = capacityGateFor(config, redis.client, logger);
  const worker: DossierWorker = new DossierWorker({
    connection: redis.connection, prefix: config.prefix, robot, ledger, secret, scenarios, machine: name, logger,
    lockDurationMs: config.worker.lockDurationMs, stalledIntervalMs: config.worker.stalledIntervalMs,
    campaigns: registry,
    applicationPauses: new ApplicationPauses(redis.client, { prefix: config.prefix }),
    ...(capacity ? { capacity } : {}),
  });
  if (opts.drops) {
    const drops = new DropSubmitter({
      connection: redis.connection, prefix: config.prefix, ledger, registry, scenarios: new Map(scenarios.map((s) => [s.id, s])), secret, machine: name, logger,
      dropFolders: config.folders.drops,
      ...(config.folders.rejections ? { rejectionsFolder: config.folders.rejections } : {}),
      onSubmitted: (s, schedule) => ctx.out(`${new Date().toISOString().slice(11, 19)} schedule ${schedule}: campaign ${s.campaignId}, ${s.rows} rows, ${s.jobIds.length} queued, ${s.alreadyDone} already done\n`),
    });
    ctx.closer.add('scheduled drops', drops, (d) => d.close());
    await drops.waitUntilReady();
  }
  const heartbeat = new Heartbeat(redis.client, {
    prefix: config.prefix, name, scenarios: scenarios.map((s) => s.id), concurrency, heartbeatMs: config.worker.heartbeatMs, running: () => worker.running,
  });
  ctx.closer.add('heartbeat', heartbeat, (h) => h.close());
  ctx.closer.add('worker', worker, async (w) => {
    ctx.out(`Stopping: taking no new dossier; ${w.running} running get ${gracePeriodMs / 1000} s to finish, then go back to the queue.\n`);
    await heartbeat.stopping();
    await w.close({ gracePeriodMs, interrupt: () => robot.close() });
    ctx.out('Worker stopped: nothing left running on this machine.\n');
  });
  const at = () => new Date().toISOString().slice(11, 19);
  worker.on('finished', (f) => {
    // Standard output ends in journald: a back office's words may quote a NIR or an IBAN.
    const what = f.status !== 'done' ? `${f.status}: ${scrubText(f.reason ?? '')}`
      : f.possibleDuplicate ? `done ${f.reference ?? ''} — POSSIBLE DUPLICATE: the ledger already had it done; check the application`
      : `done ${f.reference ?? ''}${f.alreadyRecorded ? ' (already done: nothing entered)' : ''}`;
    ctx.out(`${at()} ${f.campaignId} row ${f.rowNumber}: ${what}\n`);
  });
  worker.on('applicationPaused', (p) => ctx.out(`${at()} ${p.first ? '' : `login to ${p.applicationId} refused here too; `}${applicationPauseText(p)}\n`));
  worker.on('refused', (r) => ctx.out(`${at()} ${r.jobId}: REFUSED, not run: ${scrubText(r.reason)}\n`));
  worker.on('retrying', (r) => ctx.out(`${at()} ${r.jobId}: attempt ${r.attempt} failed (${scrubText(r.error.message)}); retried later\n`));
  await worker.waitUntilReady();
  await heartbeat.start();
  ctx.out(`Worker ${name} ready: ${scenarios.map((s) => s.id).join(', ')}; ${concurrency} browser contexts; Redis ${redis.where}, prefix "${config.prefix}".\n`);
  await new Promise<void>(() => undefined); // runs until a signal closes it
  return 0;
}
