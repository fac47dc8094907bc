import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Ledger } from '../../gains/index.ts';
import { DEFAULT_PREFIX } from '../queue-options.ts';

/** What a robot machine says of itself at each heartbeat. */
export const machineBeatSchema = z.object({
  name: z.string().min(1),
  host: z.string(),
  pid: z.coerce.number().int(),
  scenarios: z.string().transform((s) => (s === '' ? [] : s.split(','))),
  concurrency: z.coerce.number().int(),
  startedAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  state: z.enum(['running', 'stopping', 'stopped']),
  /** Dossiers running on the machine at its last heartbeat. */
  running: z.coerce.number().int().default(0),
  heartbeatMs: z.coerce.number().int().positive(),
});

export type MachineBeat = z.output<typeof machineBeatSchema>;

export interface HeartbeatOptions {
  /** @defaultValue 'proweb' */
  prefix?: string;
  name: string;
  scenarios: readonly string[];
  concurrency: number;
  /** @defaultValue 10_000 */
  heartbeatMs?: number;
  /** Dossiers running now, reported at each beat. */
  running?: () => number;
}

const machinesKey = (prefix: string) => `${prefix}:machines`;
const machineKey = (prefix: string, name: string) => `${prefix}:machine:${name}`;

/** A machine silent for this many heartbeats is shown offline. */
const MISSED_BEATS_OFFLINE = 3;
/** Machines not seen for this long are forgotten by `listMachines`. */
const FORGET_AFTER_MS = 7 * 24 * 3600_000;

/**
 * A robot machine's heartbeat in the shared Redis: a hash per machine (what it runs,
 * when it started, when it was last seen) and a sorted set of machines by last
 * beat, which `proweb machines` reads. `close()` records that the machine stopped.
 */
export class Heartbeat {
  private readonly prefix: string;
  private readonly heartbeatMs: number;
  private readonly startedAt = new Date().toISOString();
  private timer: NodeJS.Timeout | undefined;
  private state: MachineBeat['state'] = 'running';
  private closing: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly options: HeartbeatOptions,
  ) {
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
  }

  /** Beats once now, then every `heartbeatMs`. A beat that fails (Redis away) is retried at the next. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch(() => undefined), this.heartbeatMs);
    this.timer.unref();
  }

  /** Says the machine is stopping (it finishes what it holds, takes nothing new). */
  async stopping(): Promise<void> {
    this.state = 'stopping';
    await this.beat().catch(() => undefined);
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    const beat: Record<keyof MachineBeat, string> = {
      name: this.options.name,
      host: hostname(),
      pid: String(process.pid),
      scenarios: this.options.scenarios.join(','),
      concurrency: String(this.options.concurrency),
      startedAt: this.startedAt,
      lastSeenAt: new Date(now).toISOString(),
      state: this.state,
      running: String(this.options.running?.() ?? 0),
      heartbeatMs: String(this.heartbeatMs),
    };
    await this.redis
      .multi()
      .hset(machineKey(this.prefix, this.options.name), beat)
      .pexpire(machineKey(this.prefix, this.options.name), FORGET_AFTER_MS)
      .zadd(machinesKey(this.prefix), now, this.options.name)
      .exec();
  }

  /** Stops beating and records the machine as stopped. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      this.state = 'stopped';
      await this.beat().catch(() => undefined);
    })();
    return this.closing;
  }
}

/** One line of `proweb machines`. */
export interface MachineStatus extends MachineBeat {
  online: boolean;
  /** Dossiers the ledger recorded done by this machine in the last hour. */
  doneLastHour: number;
}

/**
 * The machines of a deployment, most recently seen first: online when their last
 * beat is less than three heartbeats old and they have not stopped.
 */
export async function listMachines(redis: Redis, ledger: Ledger, options: { prefix?: string; now?: Date } = {}): Promise<MachineStatus[]> {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const now = (options.now ?? new Date()).getTime();
  await redis.zremrangebyscore(machinesKey(prefix), '-inf', now - FORGET_AFTER_MS);
  const names = await redis.zrevrange(machinesKey(prefix), 0, -1);
  const pipeline = redis.pipeline();
  for (const name of names) pipeline.hgetall(machineKey(prefix, name));
  const hashes = ((await pipeline.exec()) ?? []).map(([, value]) => value as Record<string, string>);

  const doneLastHour = new Map<string, number>();
  for await (const entry of ledger.entries({ from: new Date(now - 3600_000) })) {
    if (entry.status === 'done') doneLastHour.set(entry.machine, (doneLastHour.get(entry.machine) ?? 0) + (entry.dossiers ?? 1));
  }

  const machines: MachineStatus[] = [];
  for (const hash of hashes) {
    const parsed = machineBeatSchema.safeParse(hash);
    if (!parsed.success) continue; // forgotten between the two reads, or written by another version
    const beat = parsed.data;
    const silentMs = now - Date.parse(beat.lastSeenAt);
    machines.push({ ...beat, online: beat.state !== 'stopped' && silentMs < MISSED_BEATS_OFFLINE * beat.heartbeatMs, doneLastHour: doneLastHour.get(beat.name) ?? 0 });
  }
  return machines;
}
