import { Cluster, type Redis, type RedisOptions } from 'ioredis';
import { TechnicalFailure } from './errors.ts';

/**
 * A write that must survive a failover (a commit claim, the ledger's record of a dossier) was
 * not acknowledged by a replica in time: a failover now could lose it, so it is not relied on.
 */
export class WriteNotReplicated extends TechnicalFailure {
  override name = 'WriteNotReplicated';
  constructor(readonly what: string, waitedMs: number) {
    super(
      `${what}: no replica of the Redis primary acknowledged it within ${Math.round(waitedMs / 1000)} s, and a failover could lose a write no replica holds`,
      'The primary has no replica in sync (replica down, or a failover under way): the dossier is retried. If it lasts, bring a replica back; run two, so that one may be down (docs/running-a-fleet.md, "Redis that must not stop").',
    );
  }
}

/**
 * How many replicas must hold a write before it is relied on: one under Sentinel, whose
 * failovers promote a replica and drop what only the old primary had; none for one server
 * (nothing to fail over to: its append-only file is the safeguard) or a cluster client (WAIT
 * has no key, so it would reach a node of its choosing).
 */
export function replicasToAwait(redis: Redis): number {
  if (redis instanceof Cluster) return 0;
  return ((redis.options as RedisOptions | undefined)?.sentinels?.length ?? 0) > 0 ? 1 : 0;
}

/** Each client's connections, counted: an answer is trusted only if it came on the connection the write went on. */
const generations = new WeakMap<Redis, { n: number }>();

function generationOf(redis: Redis): { n: number } {
  let generation = generations.get(redis);
  if (!generation) {
    const counter = { n: 0 };
    // 'ready' is emitted before ioredis resends what the previous connection left unanswered.
    redis.on('ready', () => void counter.n++);
    generations.set(redis, counter);
    generation = counter;
  }
  return generation;
}

/**
 * Error replies of a primary being demoted or of a replica reached as primary: the write may
 * or may not have happened, and the client is about to follow the new primary.
 */
const FAILOVER_REPLY = /^(READONLY|NOREPLICAS|LOADING|MASTERDOWN|UNBLOCKED|TRYAGAIN)\b/;

export interface ReplicatedOptions<T> {
  /**
   * Whether an answer says the write was made by this call (not found already made). Such an
   * answer is the one returned, even when the write, lost, was made again: a later run finds
   * it made. Without it, the last answer (given by the primary that holds it) is returned.
   */
  wrote?: (answer: T) => boolean;
  /** How long one WAIT blocks for a replica. @defaultValue 1_000 */
  waitMs?: number;
  /** How long to keep trying before {@link WriteNotReplicated}. @defaultValue 30_000 */
  deadlineMs?: number;
}

/**
 * Runs `write`, then, when the deployment has replicas ({@link replicasToAwait}), waits until
 * a replica acknowledges it (`WAIT`), so that a failover keeps it. An answer is trusted only
 * when the acknowledgement came on the connection the write went on: after a failover ioredis
 * resends an unanswered WAIT to the new primary, whose acknowledgement says nothing of a write
 * made on the old one. Otherwise (not acknowledged, the connection changed, a demoted primary's
 * error) `write` runs again on the primary the client follows now: it must be idempotent, finding
 * its own earlier write when that one was kept. On one server it is `write()` alone.
 *
 * @throws {@link WriteNotReplicated} past the deadline.
 */
export async function replicated<T>(redis: Redis, what: string, write: () => Promise<T>, options: ReplicatedOptions<T> = {}): Promise<T> {
  const replicas = replicasToAwait(redis);
  if (replicas === 0) return write();
  const { waitMs = 1_000, deadlineMs = 30_000 } = options;
  const generation = generationOf(redis);
  const started = performance.now();
  let made: { answer: T } | undefined;
  for (let pauseMs = 50; ; pauseMs = Math.min(pauseMs * 2, 1_000)) {
    const before = generation.n;
    try {
      const answer = await write();
      if (!made && options.wrote?.(answer)) made = { answer };
      const acks = Number(await redis.call('WAIT', replicas, waitMs));
      if (acks >= replicas && generation.n === before) return made ? made.answer : answer;
    } catch (error) {
      if (!(error instanceof Error && FAILOVER_REPLY.test(error.message))) throw error;
      // Refused at once by a server that is no longer primary: give the client time to move.
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    if (performance.now() - started > deadlineMs) throw new WriteNotReplicated(what, performance.now() - started);
  }
}
