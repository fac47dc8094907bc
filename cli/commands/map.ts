import { ConfigError, ProwebError } from '../../core/errors.ts';
import { loadConfig, resolveEndpoints } from '../../core/config.ts';
import { DEFAULT_USER, startBackOffice } from '../../fixtures/backoffice/index.ts';
import { readScreen } from '../../runner/aria-map.ts';
import type { CommandContext } from '../context.ts';
import { knownApplications } from '../known-applications.ts';
import type { MapOptions } from '../program/map.ts';
import { screenMapEntry } from '../screen-map-from-aria.ts';

/**
 * `proweb map <application> <path>`: logs in as the robot, opens the screen, reads its
 * accessibility tree and prints a screen-map entry to paste into the application's
 * definition. Only standard output gets it; nothing of the page goes to the logs.
 */
export async function mapCommand(applicationId: string, path: string, opts: MapOptions, ctx: CommandContext): Promise<number> {
  const apps = knownApplications();
  const app = apps.get(applicationId);
  if (!app) throw new ProwebError(`unknown application "${applicationId}"`, `Known applications: ${[...apps.keys()].sort().join(', ')}. A new one is declared first in scenarios/applications/ (its login), then mapped screen by screen.`);
  if (!path.startsWith('/')) throw new ProwebError(`the path "${path}" does not start with /`, `Give the screen's address after the application's base URL, e.g. ${app.loginPath.replace(/[^/]*$/, '')}...`);
  const config = await loadConfig(opts.config);
  let endpoint;
  if (opts.backoffice) {
    const backOffice = ctx.closer.add('back office', await startBackOffice({ port: 0 }), (b) => b.close());
    ctx.out(`// Mock back office: ${backOffice.url}\n`);
    endpoint = { baseUrl: backOffice.url, ...DEFAULT_USER };
  } else {
    endpoint = resolveEndpoints(config)[app.id];
    if (!endpoint) throw new ConfigError(`no endpoint for application ${app.id} in the configuration`, `Add "applications": { "${app.id}": { "baseUrl", "username", "passwordEnv" } } to the file given with --config, or use --backoffice for the mock.`);
  }
  const reading = await readScreen(app, endpoint, path, { headed: opts.headed ?? false, timeoutMs: config.stepTimeoutMs, logger: ctx.openLogger(config) });
  ctx.out(screenMapEntry(reading, app.id, opts.name));
  return 0;
}
