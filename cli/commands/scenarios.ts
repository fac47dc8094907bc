import { catalogue } from '../../scenarios/catalogue.ts';
import type { CommandContext } from '../context.ts';

/** `proweb scenarios`: the catalogue, one scenario a line. */
export async function scenariosCommand(ctx: CommandContext): Promise<number> {
  const header = ['id', 'version', 'scope', 'applications', 'manual', 'owner', 'title'];
  const rows = [...catalogue.values()].map((s) => [
    s.id, `v${s.version}`, s.scope, s.applications.map((a) => a.id).join(', '), `${s.manualMinutes} min`, s.owner, s.title,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) ctx.out(`${row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`);
  return 0;
}
