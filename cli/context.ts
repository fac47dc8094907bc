import type { ProwebConfig } from '../core/config.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { loadDeploymentSecret, type DeploymentSecret } from '../core/secret.ts';
import type { Closer } from './closer.ts';

/** What every command gets from the entry point. */
export interface CommandContext {
  closer: Closer;
  out: (text: string) => void;
  /** JSON logs go to a file so the terminal stays readable; `PROWEB_LOG_FILE=-` sends them to stderr. */
  openLogger(config: ProwebConfig): Logger;
}

/**
 * What a command's declaration (`cli/program/`) gets from the program: its action imports the
 * command's implementation when the command runs (so that `proweb machines` need not load
 * Playwright, nor `proweb worker` the dashboard) and hands it to `run`.
 */
export interface CommandHost {
  /** Runs the command's implementation; the number it returns is the process's exit code. */
  run(implementation: (ctx: CommandContext) => Promise<number>): Promise<void>;
  /** For a service (worker, dashboard): a signal is how it is meant to stop, so it ends with 0 (as service managers expect), not 130. */
  stopsOnSignal(): void;
}

export function createCommandContext(closer: Closer): CommandContext {
  return {
    closer,
    out: (text) => void process.stdout.write(text),
    openLogger(config) {
      const file = process.env.PROWEB_LOG_FILE ?? `${config.dataDir}/logs/proweb.log`;
      const logger = createLogger({ level: config.logLevel, ...(file === '-' ? {} : { destination: file }) });
      closer.add('logger', logger, (l) => flushLogger(l));
      return logger;
    },
  };
}

/**
 * Flushes the log file. A command that fails at once may close before the file is even
 * open, and pino's flush throws then: wait for it to open (a few tries), then flush.
 */
async function flushLogger(logger: Logger): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
      return;
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/**
 * The deployment secret of a command that queues or runs dossiers (see `core/secret.ts`):
 * `PROWEB_SECRET`, `PROWEB_SECRET_FILE` or the configuration's `secretFile`; on a machine
 * alone (no shared Redis), `dataDir/secret`, generated once. Once read, `PROWEB_SECRET`
 * is taken out of this process's environment, so that the browser and redis-server this
 * command starts do not inherit it.
 * @throws ConfigError on a shared Redis without a secret, or with one too weak.
 */
export async function deploymentSecretFor(config: ProwebConfig): Promise<DeploymentSecret> {
  const secret = await loadDeploymentSecret({ secretFile: config.secretFile, dataDir: config.dataDir, sharedRedis: config.redisUrl !== undefined && config.redisUrl !== '' });
  delete process.env.PROWEB_SECRET;
  return secret;
}
