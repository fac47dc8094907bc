import { Ledger } from '../../gains/index.ts';
import { ApplicationPauses } from '../../queue/fleet/application-pauses.ts';
import { listMachines, type MachineStatus } from '../../queue/fleet/machines.ts';
import { applicationPausesBlock } from '../application-pause-text.ts';
import type { CommandContext } from '../context.ts';
import type { MachinesOptions } from '../program/machines.ts';
import { loadConfigWithRedis, openRedis } from '../redis.ts';

/** "12 s ago", "3 min ago", "2 h ago". */
function ago(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.round(ms / 1000))} s ago`;
  if (ms < 3600_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 48 * 3600_000) return `${Math.round(ms / 3600_000)} h ago`;
  return `${Math.round(ms / 86_400_000)} d ago`;
}

/** The machines as a table, online ones first. */
export function machinesTable(machines: readonly MachineStatus[], now = new Date()): string {
  const header = ['machine', 'status', 'scenarios', 'contexts', 'running', 'done last hour', 'last seen', 'host', 'up since'];
  const rows = machines.map((m) => [
    m.name, m.online ? (m.state === 'stopping' ? 'stopping' : 'online') : m.state === 'stopped' ? 'stopped' : 'silent',
    m.scenarios.join(', '), String(m.concurrency), String(m.online ? m.running : 0), String(m.doneLastHour),
    ago(now.getTime() - Date.parse(m.lastSeenAt)), `${m.host} (pid ${m.pid})`, m.startedAt.slice(0, 19).replace('T', ' ') + ' UTC',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

/** `proweb machines`: robot machines of the deployment, what they run, and when each was last seen. */
export async function machinesCommand(opts: MachinesOptions, ctx: CommandContext): Promise<number> {
  const config = await loadConfigWithRedis(opts);
  const redis = await openRedis(config, ctx.closer, { requireNoEviction: false });
  const now = new Date();
  const all = await listMachines(redis.client, new Ledger(redis.client, { prefix: config.prefix }), { prefix: config.prefix, now });
  const shown = opts.all ? all : all.filter((m) => m.online);
  if (opts.json) {
    ctx.out(`${JSON.stringify(shown, null, 2)}\n`);
    return 0;
  }
  const offline = all.length - all.filter((m) => m.online).length;
  ctx.out(shown.length === 0 ? 'No robot machine online.\n' : machinesTable(shown, now));
  ctx.out(`${all.filter((m) => m.online).length} online${offline && !opts.all ? `, ${offline} stopped or silent (--all shows them)` : ''}.\n`);
  // Machines online may still do nothing: an application a refused login paused holds their dossiers.
  ctx.out(applicationPausesBlock(await new ApplicationPauses(redis.client, { prefix: config.prefix }).list()));
  return 0;
}
