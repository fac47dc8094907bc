import { loadConfig, resolveEndpoints, type ProwebConfig } from '../core/config.ts';
import { DEFAULT_USER, startBackOffice } from '../fixtures/backoffice/index.ts';
import type { ApplicationEndpoint } from '../runner/index.ts';
import type { AnyScenario } from '../scenarios/dsl/index.ts';
import type { CommandContext } from './context.ts';

/**
 * Where the applications are for an authoring command: the configuration's endpoints,
 * or with `--backoffice` the mock back office started in this process (every
 * application of the scenario pointed at it), to try a scenario without a real one.
 */
export async function endpointsFor(
  scenario: AnyScenario,
  opts: { config?: string; backoffice?: boolean },
  ctx: CommandContext,
): Promise<{ config: ProwebConfig; endpoints: Record<string, ApplicationEndpoint> }> {
  const config = await loadConfig(opts.config);
  if (!opts.backoffice) return { config, endpoints: resolveEndpoints(config) };
  const backOffice = ctx.closer.add('back office', await startBackOffice({ port: 0 }), (b) => b.close());
  ctx.out(`Mock back office: ${backOffice.url}\n`);
  return { config, endpoints: Object.fromEntries(scenario.applications.map((a) => [a.id, { baseUrl: backOffice.url, ...DEFAULT_USER }])) };
}
