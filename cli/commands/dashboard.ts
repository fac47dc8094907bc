import { BlockList, isIP } from 'node:net';
import { loadConfig, type ProwebConfig } from '../../core/config.ts';
import { ConfigError } from '../../core/errors.ts';
import { listenHttp } from '../../core/http-listener.ts';
import { createDashboard, scenarioQueueNames, type DashboardCredentials } from '../../queue/dashboard/dashboard.ts';
import { RedisStartFailed } from '../../queue/redis/embedded-redis.ts';
import type { DeploymentSecret } from '../../core/secret.ts';
import { deploymentSecretFor, type CommandContext } from '../context.ts';
import type { DashboardOptions } from '../program/dashboard.ts';
import { openRedis } from '../redis.ts';

/** `--port` wins over `dashboard.port`; a program may show more queues after the scenarios' (for instance the scheduled file drops). */
export type DashboardCommandOptions = DashboardOptions & { extraQueueNames?: string[] };

/** Where and for whom the dashboard is served, checked before anything starts. */
export interface DashboardSettings {
  /** As given in the configuration, brackets removed: what the socket binds to. */
  host: string;
  port: number;
  credentials: DashboardCredentials;
  /** For display: where the password came from, never the password. */
  passwordSource: string;
  /** `dashboard.writable`: operators may retry, promote and remove jobs. */
  writable: boolean;
}

const EXAMPLE = '"dashboard": { "username": "supervision", "passwordEnv": "PROWEB_DASHBOARD_PASSWORD" }';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** 127.0.0.0/8, ::1 (any spelling, IPv4-mapped included) or `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare.toLowerCase() === 'localhost') return true;
  const family = isIP(bare);
  return family !== 0 && loopback.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The dashboard's address and credentials from the configuration and the environment.
 *
 * @throws {@link ConfigError} without credentials (naming `dashboard.username` and
 * `dashboard.passwordEnv`), with a password variable that is not set, with a host that is
 * not a loopback address, or with a port out of range.
 */
export function dashboardSettings(config: ProwebConfig, overrides: { port?: number } = {}, env: NodeJS.ProcessEnv = process.env): DashboardSettings {
  const dashboard = config.dashboard;
  if (!dashboard) {
    throw new ConfigError(
      'the dashboard is never served without authentication, and no credentials are configured: set dashboard.username and dashboard.passwordEnv',
      `Add ${EXAMPLE} to the configuration file given with --config, and export PROWEB_DASHBOARD_PASSWORD.`,
    );
  }
  const host = dashboard.host.replace(/^\[(.*)\]$/, '$1');
  if (!isLoopbackHost(host)) {
    throw new ConfigError(
      `dashboard.host "${dashboard.host}" is not a loopback address: the dashboard shows dossiers with personal data and can retry or remove jobs, so it only listens on this machine`,
      'Use 127.0.0.1 (the default), ::1 or localhost; to reach it from another machine, use an SSH tunnel (ssh -L 3030:127.0.0.1:3030 robot-host).',
    );
  }
  const port = overrides.port ?? dashboard.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`dashboard port ${port} is not a TCP port`, 'Give a port between 1 and 65535 with --port or dashboard.port.');
  }
  let password: string | undefined;
  let passwordSource: string;
  if (dashboard.password !== undefined) {
    password = dashboard.password;
    passwordSource = 'dashboard.password in the configuration';
  } else if (dashboard.passwordEnv !== undefined) {
    password = env[dashboard.passwordEnv] || undefined;
    passwordSource = `$${dashboard.passwordEnv}`;
    if (password === undefined) {
      throw new ConfigError(
        `dashboard.passwordEnv names the environment variable ${dashboard.passwordEnv}, which is not set (or empty)`,
        `Export ${dashboard.passwordEnv} with the dashboard password before starting it.`,
      );
    }
  } else {
    throw new ConfigError(
      `dashboard.username "${dashboard.username}" has no password: set dashboard.passwordEnv (or dashboard.password)`,
      `For instance ${EXAMPLE}, and export PROWEB_DASHBOARD_PASSWORD.`,
    );
  }
  return { host, port, credentials: { username: dashboard.username, password }, passwordSource, writable: dashboard.writable };
}

/**
 * `proweb dashboard`: bull-board for the deployment's queues on a loopback address,
 * behind HTTP Basic authentication, read-only unless `dashboard.writable`, until
 * interrupted. With the deployment secret, a waiting dossier's declared personal values
 * (names) are masked in what it shows, not only the patterns (NIR, IBAN, e-mail, telephone).
 */
export async function dashboardCommand(opts: DashboardCommandOptions, ctx: CommandContext): Promise<number> {
  const config = await loadConfig(opts.config);
  // Everything refusable is refused before a Redis or a socket is opened.
  const settings = dashboardSettings(config, opts.port === undefined ? {} : { port: opts.port });
  const secret = await dashboardSecret(config);
  const redis = await openEmbeddedAware(config, ctx);
  // Opened once Redis is up: a log file still opening when the process exits makes pino throw.
  const logger = ctx.openLogger(config);
  const dashboard = ctx.closer.add('dashboard queues', createDashboard({
    connection: redis.connection,
    prefix: config.prefix,
    queueNames: scenarioQueueNames(opts.extraQueueNames),
    credentials: settings.credentials,
    writable: settings.writable,
    ...(secret ? { secret } : {}),
    logger,
  }), (d) => d.close());
  const listener = ctx.closer.add('dashboard server', await listenHttp(dashboard.app.fetch, { host: settings.host, port: settings.port, portSetting: '--port or dashboard.port' }), (l) => l.close());
  ctx.out(
    [
      `proweb dashboard (bull-board) on ${listener.url}${dashboard.basePath === '/' ? '/' : `${dashboard.basePath}/`}`,
      `  queues: ${dashboard.queueNames.join(', ')} (prefix ${config.prefix})`,
      `  redis:  ${redis.where}`,
      `  login:  ${settings.credentials.username}, password from ${settings.passwordSource}`,
      settings.writable
        ? '  access: writable (dashboard.writable): retry, promote and remove jobs, pause queues; never add or edit jobs'
        : '  access: read-only (set dashboard.writable to true to retry or remove jobs here)',
      `  masked: NIR, IBAN, e-mail, telephone${secret ? ', and each waiting dossier\'s names and addresses (deployment secret)' : ' (no deployment secret here: names are masked by the workers before they are kept)'}`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>(() => undefined); // runs until a signal closes it
  return 0;
}

/**
 * The deployment secret when this machine has one, to mask a waiting dossier's names;
 * a supervision machine of a fleet may hold none (it never queues nor runs dossiers).
 */
async function dashboardSecret(config: ProwebConfig): Promise<DeploymentSecret | undefined> {
  const configured = Boolean(process.env.PROWEB_SECRET || process.env.PROWEB_SECRET_FILE || config.secretFile);
  if (!configured && config.redisUrl) return undefined;
  return deploymentSecretFor(config);
}

/** {@link openRedis}, explaining what to do when a running command already holds the private Redis. */
async function openEmbeddedAware(config: ProwebConfig, ctx: CommandContext): ReturnType<typeof openRedis> {
  try {
    // The dashboard queues nothing new; a Redis that may evict is worth a warning, not a refusal.
    return await openRedis(config, ctx.closer, { requireNoEviction: false });
  } catch (error) {
    const socket = error instanceof RedisStartFailed ? /already listening on (\S+?):? /.exec(error.message)?.[1] : undefined;
    if (socket === undefined) throw error;
    throw new ConfigError(
      `another proweb command (a campaign?) is running the private Redis of ${config.dataDir} on ${socket}`,
      `To watch its queues while it runs: REDIS_URL=unix:${socket} proweb dashboard ...`,
      { cause: error },
    );
  }
}
