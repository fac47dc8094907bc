/**
 * The queue: BullMQ over Redis distributes dossiers to workers on many robot machines.
 * - `redis/`: connections (one server, Sentinel, Cluster), the policy a remote Redis must meet, the embedded server of a machine alone;
 * - `campaigns/`: a campaign from an input file to sealed jobs, its registry, status, rejects, schedules and retention;
 * - `fleet/`: the worker that runs a dossier's job through the runner, machines' heartbeats, commit claims, login throttle, application pauses, opening hours;
 * - `dashboard/`: the queue UI with personal data masked; not re-exported here, as it loads a web server and
 *   bull-board that no worker needs: `cli/commands/dashboard.ts` imports it directly.
 *
 * The public API for code that embeds proweb. Loading it loads every part (BullMQ, the workers,
 * the schedulers): the CLI imports the modules a command needs instead, to start fast.
 */
export * from './redis/embedded-redis.ts';
export * from './redis/redis-connection.ts';
export * from './redis/redis-policy.ts';
export * from './campaigns/campaign-registry.ts';
export * from './campaigns/campaign-rejects.ts';
export * from './campaigns/campaign-status.ts';
export * from './campaigns/campaign.ts';
export * from './campaigns/dossier-id.ts';
export * from './campaigns/drop-folders.ts';
export * from './campaigns/enqueue.ts';
export * from './campaigns/job-payload.ts';
export * from './campaigns/retention.ts';
export * from './campaigns/run-campaign.ts';
export * from './campaigns/schedules.ts';
export * from './fleet/application-pauses.ts';
export * from './fleet/capacity-gate.ts';
export * from './fleet/commit-claims.ts';
export * from './fleet/login-throttle.ts';
export * from './fleet/machines.ts';
export * from './fleet/opening-hours.ts';
export * from './fleet/worker.ts';
export * from './queue-options.ts';
