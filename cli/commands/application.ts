import { Queue } from 'bullmq';
import { ProwebError } from '../../core/errors.ts';
import { scrubText } from '../../core/personal-data.ts';
import { type ApplicationPause, ApplicationPauses } from '../../queue/fleet/application-pauses.ts';
import { applicationPauseFix } from '../application-pause-text.ts';
import type { Closer } from '../closer.ts';
import type { CommandContext } from '../context.ts';
import { knownApplications } from '../known-applications.ts';
import { formatParisDateTime } from '../paris-time.ts';
import type { ApplicationListOptions, ApplicationResumeOptions } from '../program/application.ts';
import { loadConfigWithRedis, openRedis } from '../redis.ts';

/** No scenario of this installation uses an application with this id (a typo, most likely). */
export class UnknownApplication extends ProwebError {
  override name = 'UnknownApplication';
  constructor(readonly applicationId: string) {
    super(`no scenario uses an application "${applicationId}"`, `Known applications: ${[...knownApplications().keys()].join(', ')}.`);
  }
}

/** The queues of the scenarios whose dossiers were parked, opened once each and closed with the command. */
export function queueOpener(connection: object, prefix: string, closer: Closer): (queueName: string) => Queue {
  const open = new Map<string, Queue>();
  return (name) => {
    let queue = open.get(name);
    if (!queue) {
      queue = closer.add('queue', new Queue(name, { connection, prefix }), (q) => q.close());
      open.set(name, queue);
    }
    return queue;
  };
}

/**
 * Resumes a paused application and wakes its parked dossiers; one line saying what it did.
 * Shared by `application resume` and `campaign resume`.
 */
export async function resumeApplication(pauses: ApplicationPauses, applicationId: string, queueFor: (queueName: string) => Queue): Promise<string> {
  const { pause, promoted } = await pauses.resume(applicationId, queueFor);
  const woken = `${promoted} parked dossier${promoted === 1 ? '' : 's'} back in the queue`;
  if (!pause) return `Application ${applicationId} was not paused; ${woken}.\n`;
  return `Application ${applicationId} resumed (paused since ${formatParisDateTime(pause.at)} by ${pause.machine}: "${scrubText(pause.reason)}"): ${woken}. ` +
    'Workers log in to it again with the credentials of their configuration; one still refused pauses it again.\n';
}

/** `proweb application list [--json]`: the applications the scenarios use, and which are paused for the fleet, why, and what to do. */
export async function applicationListCommand(opts: ApplicationListOptions, ctx: CommandContext): Promise<number> {
  const config = await loadConfigWithRedis(opts);
  const redis = await openRedis(config, ctx.closer, { requireNoEviction: false });
  const paused = await new ApplicationPauses(redis.client, { prefix: config.prefix }).list();
  const known = knownApplications();
  const byId = new Map<string, ApplicationPause>(paused.map((p) => [p.applicationId, p]));
  const ids = [...new Set([...known.keys(), ...byId.keys()])].sort();
  if (opts.json) {
    ctx.out(`${JSON.stringify(ids.map((id) => ({ applicationId: id, title: known.get(id)?.title ?? null, paused: byId.get(id) ?? null })), null, 2)}\n`);
    return 0;
  }
  const rows = ids.map((id) => {
    const p = byId.get(id);
    return [id, p ? 'PAUSED' : 'active', p ? `since ${formatParisDateTime(p.at)} by ${p.machine}${p.username ? `, account ${p.username}` : ''}: "${scrubText(p.reason)}"` : known.get(id)?.title ?? ''];
  });
  const header = ['application', 'state', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  ctx.out(`${[line(header), ...rows.map(line)].join('\n')}\n`);
  for (const p of paused) ctx.out(`To resume ${p.applicationId}: ${applicationPauseFix(p)}.\n`);
  return 0;
}

/** `proweb application resume <id>`: clears the pause and wakes the dossiers parked under it. */
export async function applicationResumeCommand(applicationId: string, opts: ApplicationResumeOptions, ctx: CommandContext): Promise<number> {
  const config = await loadConfigWithRedis(opts);
  const redis = await openRedis(config, ctx.closer, { requireNoEviction: true });
  const pauses = new ApplicationPauses(redis.client, { prefix: config.prefix });
  if (!knownApplications().has(applicationId) && !(await pauses.isPaused(applicationId))) throw new UnknownApplication(applicationId);
  ctx.out(await resumeApplication(pauses, applicationId, queueOpener(redis.connection, config.prefix, ctx.closer)));
  return 0;
}

