import { catalogue } from '../../scenarios/catalogue.ts';
import type { CommandContext } from '../context.ts';

/** `proweb scenarios`: the catalogue. */
export async function scenariosCommand(ctx: CommandContext): Promise<number> {
  for (const s of catalogue.values()) {
    ctx.out(`${s.id}  v${s.version}  ${s.scope}  ${s.manualMinutes} min  [${s.applications.map((a) => a.id).join(', ')}]  ${s.title} (${s.owner})\n`);
  }
  return 0;
}
