import { resolve } from 'node:path';
import { type Schedule, Schedules } from '../../queue/campaigns/schedules.ts';
import { catalogue } from '../../scenarios/catalogue.ts';
import type { CommandContext } from '../context.ts';
import type { ScheduleAddOptions, ScheduleOptions } from '../program/schedule.ts';
import { loadConfigWithRedis, openRedis } from '../redis.ts';
import { formatWallClock } from '../../core/wall-clock.ts';

async function openSchedules(opts: ScheduleOptions, ctx: CommandContext): Promise<Schedules> {
  const config = await loadConfigWithRedis(opts);
  const redis = await openRedis(config, ctx.closer);
  return ctx.closer.add('schedules', new Schedules(redis.connection, { prefix: config.prefix, dropFolders: config.folders.drops }), (s) => s.close());
}

const when = (d: Date | undefined, tz: string) => (d ? `${formatWallClock(d, tz)} (${tz})` : 'not planned');

function describe(s: Schedule): string {
  return `${s.name}: ${s.scenarioId} × ${s.file} × ${s.caisse}, cron "${s.cron}" ${s.timezone}${s.priority ? `, priority ${s.priority}` : ''}; next ${when(s.next, s.timezone)}`;
}

/**
 * `proweb schedule add <name> <scenario> --input F --caisse C --cron "30 2 * * 1-5"`: a
 * repeatable campaign (a nightly file drop), on BullMQ's job schedulers. At each
 * occurrence a worker of the fleet submits the file; dossiers already done are skipped.
 */
export async function scheduleAddCommand(name: string, scenarioId: string, opts: ScheduleAddOptions, ctx: CommandContext): Promise<number> {
  const schedules = await openSchedules(opts, ctx);
  const schedule = await schedules.set(
    { name, scenarioId, file: resolve(opts.input), caisse: opts.caisse, cron: opts.cron, timezone: opts.tz ?? 'Europe/Paris', ...(opts.priority !== undefined ? { priority: opts.priority } : {}) },
    catalogue,
  );
  ctx.out(`Scheduled ${describe(schedule)}\nThe file must be readable at that path from the robot machines (a shared folder), inside a folder of their folders.drops.\n`);
  return 0;
}

/** `proweb schedule list`. */
export async function scheduleListCommand(opts: ScheduleOptions, ctx: CommandContext): Promise<number> {
  const list = await (await openSchedules(opts, ctx)).list();
  ctx.out(list.length === 0 ? 'No scheduled campaign.\n' : `${list.map(describe).join('\n')}\n`);
  return 0;
}

/** `proweb schedule remove <name>`: exit code 1 when there was none. */
export async function scheduleRemoveCommand(name: string, opts: ScheduleOptions, ctx: CommandContext): Promise<number> {
  const removed = await (await openSchedules(opts, ctx)).remove(name);
  ctx.out(removed ? `Schedule ${name} removed.\n` : `No schedule named ${name} (proweb schedule list shows them).\n`);
  return removed ? 0 : 1;
}
