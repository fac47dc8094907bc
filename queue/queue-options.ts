import type { DefaultJobOptions } from 'bullmq';

/** Namespace of every key in a deployment's Redis (queues and ledger); a hash tag, see core/redis-keys.ts. */
export { DEFAULT_PREFIX } from '../core/redis-keys.ts';

/** One queue per scenario, so a robot machine can take only the scenarios it may run. */
export const queueNameFor = (scenarioId: string): string => scenarioId;

/**
 * Technical failures are retried with exponential backoff (2 s, 4 s, ...); finished
 * jobs are kept a while for the dashboard, but the ledger is the record that lasts.
 */
export const DOSSIER_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const satisfies DefaultJobOptions;

/**
 * Priority of a campaign that gives none. BullMQ takes jobs without a priority before
 * any prioritized one, so every dossier carries one: `--priority 1` then really goes
 * first, and `--priority 2000` after the ordinary campaigns.
 */
export const DEFAULT_PRIORITY = 1000;
