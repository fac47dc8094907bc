import { DEFAULT_USER, startBackOffice } from '../../fixtures/backoffice/index.ts';
import type { CommandContext } from '../context.ts';
import type { BackofficeOptions } from '../program/backoffice.ts';

/** `proweb backoffice --port P`: serves the mock ameli pro and Progrès until interrupted (on 127.0.0.1, unless a program gives another host). */
export async function backofficeCommand(opts: BackofficeOptions & { host?: string }, ctx: CommandContext): Promise<number> {
  const backOffice = ctx.closer.add('back office', await startBackOffice({ port: opts.port, host: opts.host ?? '127.0.0.1', ...(opts.seed === undefined ? {} : { seed: opts.seed }) }), (b) => b.close());
  ctx.out(
    [
      `Mock back office listening on ${backOffice.url}`,
      `  ameli pro: ${backOffice.url}/amelipro/dipa/demandes`,
      `  Progrès:   ${backOffice.url}/progres/accueil`,
      `  login:     ${DEFAULT_USER.username} / ${DEFAULT_USER.password}`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>(() => undefined); // runs until a signal closes it
  return 0;
}
