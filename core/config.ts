import { readFile, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { applicationCapacitySchema } from './capacity.ts';
import { ConfigError } from './errors.ts';
import { DEFAULT_PREFIX, PREFIX_PATTERN } from './redis-keys.ts';

/** One application's endpoint as written in the configuration file; the password may come from the environment. */
const applicationConfig = z
  .object({
    baseUrl: z.url(),
    username: z.string().min(1),
    password: z.string().min(1).optional(),
    /** Name of the environment variable holding the password (preferred over writing it in the file). */
    passwordEnv: z.string().min(1).optional(),
    /** Limits of this application across the fleet (rate, sessions, opening hours); unset = unlimited. */
    capacity: applicationCapacitySchema.optional(),
  })
  .refine((a) => a.password !== undefined || a.passwordEnv !== undefined, { error: 'give password or passwordEnv' });

/** A folder given in the configuration: absolute, since every robot machine and service must agree on it. */
const absoluteFolder = z.string().refine(isAbsolute, { error: 'must be an absolute path' });
/** A retention period in whole days; 0 = purge removes everything ended. */
const retentionDays = z.number().int().min(0).max(3650);

/** `proweb.config.json`: where the applications live for this caisse, and how the robot runs. */
export const configSchema = z.object({
  /** Redis shared by the fleet; unset = a private redis-server started by the CLI. `REDIS_URL` wins. */
  redisUrl: z.string().optional(),
  /**
   * A file holding the Redis URL with its password (readable by the service user only), so that the
   * password is neither in this file nor on a command line. `REDIS_URL_FILE` wins; give this or `redisUrl`.
   */
  redisUrlFile: z.string().min(1).optional(),
  /** PEM file of the certificate authorities that sign a `rediss://` server's certificate; read at start. */
  redisCaFile: z.string().min(1).optional(),
  /**
   * A file holding the deployment secret (32 random bytes or more, hex or base64; mode 600), the same
   * on every machine: it keys dossier ids and seals jobs in Redis. `PROWEB_SECRET` and
   * `PROWEB_SECRET_FILE` win. Unset on a machine alone (no `redisUrl`): generated in `dataDir/secret`.
   */
  secretFile: z.string().min(1).optional(),
  /**
   * Accept a Redis on another machine reached with neither password nor TLS. Anyone who can reach it
   * could then queue dossiers the robots enter: only for an isolated test network. @defaultValue false
   */
  allowInsecureRedis: z.boolean().default(false),
  /** Where files may come from and go to: a path read from Redis never chooses them. */
  folders: z
    .object({
      /** Absolute folders a scheduled drop's file must lie in (`proweb schedule`); none = no scheduled drop. */
      drops: z.array(absoluteFolder).default([]),
      /** Absolute folder for every rejection file (`*.rejets.csv`); unset = next to the input file. */
      rejections: absoluteFolder.optional(),
      /**
       * Absolute folder where `proweb purge` archives the ledger's entries, one JSON lines file a day,
       * before trimming them from Redis; unset = the entries stay in Redis.
       */
      ledgerArchive: absoluteFolder.optional(),
    })
    .prefault({}),
  /** How long `proweb purge` keeps what may hold personal data, in days. */
  retention: z
    .object({
      /** Screenshots and page HTML of failed dossiers (`dataDir/evidence`). @defaultValue 30 */
      evidenceDays: retentionDays.default(30),
      /** Playwright traces (`dataDir/traces`): they record every page. @defaultValue 7 */
      tracesDays: retentionDays.default(7),
      /** Rejection files in the rejections folder and the drop folders. @defaultValue 30 */
      rejectionFilesDays: retentionDays.default(30),
      /** Completed and failed jobs (their input row) in Redis; the ledger keeps the outcome. @defaultValue 7 */
      endedJobsDays: retentionDays.default(7),
      /**
       * Ledger entries (the detail) kept in Redis once archived in `folders.ledgerArchive`; the gain
       * figures stay in the rollups. At least a day: `proweb machines` reads the last hour. @defaultValue 7
       */
      ledgerEntriesDays: retentionDays.min(1).default(7),
      /**
       * How long the ledger remembers a dossier done (and a campaign its dossiers): a dossier submitted
       * again within it is skipped; after it, the scenario's guard finds it in the application.
       * @defaultValue 35
       */
      ledgerDoneDays: retentionDays.min(1).default(35),
      /** {@link ledgerDoneDays} for some scenarios (scenario id → days). */
      ledgerDoneDaysByScenario: z.record(z.string(), retentionDays.min(1)).default({}),
    })
    .prefault({}),
  /**
   * Key namespace of this deployment in Redis. Between braces it is a hash tag (every key in one
   * slot), which a Redis Cluster needs; `name` without braces is for a deployment started before. @defaultValue '{proweb}'
   */
  prefix: z.string().regex(PREFIX_PATTERN, { error: 'a prefix is {name} or name (letters, digits, _ and -)' }).default(DEFAULT_PREFIX),
  /** Local state: embedded Redis data, logs, evidence. @defaultValue '.proweb' */
  dataDir: z.string().default('.proweb'),
  /** Name of this robot machine in the ledger. @defaultValue the host name */
  machine: z.string().optional(),
  /** @defaultValue 4 */
  concurrency: z.number().int().min(1).max(32).default(4),
  /**
   * How long a step waits for its screen when neither the step nor its scenario says. A commit's
   * answer slower than this is "outcome unknown", and others wait this long (plus a lock) before
   * they trust the guard over an earlier click. @defaultValue 10_000
   */
  stepTimeoutMs: z.number().int().min(500).default(10_000),
  /** @defaultValue 1365 */
  hoursPerEtp: z.number().positive().default(1365),
  /** @defaultValue 'info' */
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
  applications: z.record(z.string(), applicationConfig).default({}),
  /** `proweb dashboard` (bull-board): loopback only, HTTP Basic; unset = the command refuses to start. */
  dashboard: z
    .object({
      /** Must be a loopback address (checked by the command). @defaultValue '127.0.0.1' */
      host: z.string().min(1).default('127.0.0.1'),
      /** @defaultValue 3030 */
      port: z.number().int().min(1).max(65535).default(3030),
      /** HTTP Basic separates user name and password with ":", so the name cannot hold one. */
      username: z.string().min(1).regex(/^[^:]*$/, { error: 'a user name cannot contain ":"' }),
      password: z.string().min(1).optional(),
      /** Name of the environment variable holding the password (preferred over writing it in the file). */
      passwordEnv: z.string().min(1).optional(),
      /**
       * Operators may retry, promote and remove jobs and pause queues from the dashboard (never add
       * or edit jobs). @defaultValue false: read-only
       */
      writable: z.boolean().default(false),
    })
    .optional(),
  /** How `proweb worker` behaves on a robot machine. */
  worker: z
    .object({
      /** On SIGTERM, how long running dossiers may take to finish before they are handed back. @defaultValue 60_000 */
      gracePeriodMs: z.number().int().min(0).default(60_000),
      /** @defaultValue 10_000 */
      heartbeatMs: z.number().int().min(1_000).default(10_000),
      /** A dead machine's dossiers go to others after about this long. @defaultValue 30_000 */
      lockDurationMs: z.number().int().min(1_000).default(30_000),
      /** @defaultValue 30_000 */
      stalledIntervalMs: z.number().int().min(1_000).default(30_000),
    })
    .prefault({}),
});

export type ProwebConfig = z.output<typeof configSchema>;

/**
 * Reads the configuration file (if any) under the environment: `REDIS_URL`,
 * `PROWEB_PREFIX`, `PROWEB_DATA_DIR`, `PROWEB_LOG_LEVEL` win over the file.
 */
export async function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<ProwebConfig> {
  let fromFile: unknown = {};
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new ConfigError(`cannot read configuration ${file}: ${(cause as NodeJS.ErrnoException).code ?? cause}`, 'Check the --config path.', { cause });
    }
    try {
      fromFile = JSON.parse(text);
    } catch (cause) {
      throw new ConfigError(`configuration ${file} is not valid JSON: ${(cause as Error).message}`, undefined, { cause });
    }
  }
  const merged = {
    ...(fromFile as object),
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    ...(env.PROWEB_PREFIX ? { prefix: env.PROWEB_PREFIX } : {}),
    ...(env.PROWEB_DATA_DIR ? { dataDir: env.PROWEB_DATA_DIR } : {}),
    ...(env.PROWEB_LOG_LEVEL ? { logLevel: env.PROWEB_LOG_LEVEL } : {}),
  };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`configuration${file ? ` ${file}` : ''}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, 'See the Configuration section of README.md.');
  }
  return withRedisUrlFromFile(parsed.data, env, (fromFile as { redisUrl?: unknown }).redisUrl !== undefined);
}

/**
 * The Redis URL from `REDIS_URL`, else from the file `REDIS_URL_FILE` or `redisUrlFile` names, else
 * `redisUrl`: a password then never needs to be on a command line nor in the configuration.
 */
async function withRedisUrlFromFile(config: ProwebConfig, env: NodeJS.ProcessEnv, urlInFile: boolean): Promise<ProwebConfig> {
  if (env.REDIS_URL && env.REDIS_URL_FILE) throw new ConfigError('both REDIS_URL and REDIS_URL_FILE are set', 'Keep one: REDIS_URL_FILE, naming a file only the service user can read, keeps the password out of the environment.');
  if (env.REDIS_URL) return config;
  const urlFile = env.REDIS_URL_FILE || config.redisUrlFile;
  if (!urlFile) return config;
  if (!env.REDIS_URL_FILE && urlInFile) throw new ConfigError('the configuration gives both redisUrl and redisUrlFile', 'Keep one: redisUrlFile keeps the password out of the configuration.');
  let text: string;
  try {
    // Like ssh with a private key: a password file every user can read protects nothing.
    if (((await stat(urlFile)).mode & 0o004) !== 0) {
      throw new ConfigError(`Redis URL file ${urlFile} is readable by every user of this machine`, `Restrict it: chmod 600 ${urlFile} (owned by the user the robot runs as).`);
    }
    text = (await readFile(urlFile, 'utf8')).trim();
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError(`cannot read the Redis URL file ${urlFile}: ${(cause as NodeJS.ErrnoException).code ?? cause}`, 'Check REDIS_URL_FILE or redisUrlFile, and that the user the robot runs as can read it.', { cause });
  }
  if (text === '' || /\s/.test(text)) throw new ConfigError(`Redis URL file ${urlFile} must hold one URL on one line (redis://user:password@host:port/db or rediss://...)`, 'Write the URL alone in the file.');
  return { ...config, redisUrl: text };
}

/** Application endpoints with their passwords resolved from the environment. */
export function resolveEndpoints(config: ProwebConfig, env: NodeJS.ProcessEnv = process.env): Record<string, { baseUrl: string; username: string; password: string }> {
  return Object.fromEntries(
    Object.entries(config.applications).map(([id, app]) => {
      const password = app.password ?? (app.passwordEnv ? env[app.passwordEnv] : undefined);
      if (!password) throw new ConfigError(`application ${id}: environment variable ${app.passwordEnv} is not set`, `Export ${app.passwordEnv} with the robot account's password.`);
      return [id, { baseUrl: app.baseUrl, username: app.username, password }];
    }),
  );
}
