import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { dashboardSettings, isLoopbackHost } from '../../cli/commands/dashboard.ts';
import { configSchema } from '../../core/config.ts';
import { ConfigError } from '../../core/errors.ts';
import { startEmbeddedRedis } from '../../queue/redis/embedded-redis.ts';
import { createRedis } from '../../queue/redis/redis-connection.ts';
import { runCli } from '../support/cli.ts';

const freshDir = () => mkdtemp(join(tmpdir(), 'proweb-dashboard-cli-'));

/** A configuration file in a fresh folder, with its data folder beside it. */
async function configFile(config: object): Promise<{ file: string; dataDir: string }> {
  const dir = await freshDir();
  const dataDir = join(dir, 'data');
  const file = join(dir, 'proweb.config.json');
  await writeFile(file, JSON.stringify({ dataDir, ...config }));
  return { file, dataDir };
}

/** The one line a refusal prints. */
const errorLines = (stderr: string) => stderr.trim().split('\n');

const settingsOf = (dashboard: unknown, env: NodeJS.ProcessEnv = {}, overrides: { port?: number } = {}) =>
  dashboardSettings(configSchema.parse({ dashboard }), overrides, env);

describe('proweb dashboard refuses to start unprotected', () => {
  it('without credentials: exit code 1 and one line naming dashboard.username and dashboard.passwordEnv', async () => {
    const dataDir = await freshDir();
    const run = await runCli(['dashboard'], { PROWEB_DATA_DIR: dataDir, REDIS_URL: '' });
    expect(run.code).toBe(1);
    expect(errorLines(run.stderr)).toEqual([expect.stringMatching(/^error: .*never served without authentication.*dashboard\.username and dashboard\.passwordEnv/)]);
    expect(run.stdout).toBe('');
    expect(run.leftovers).toEqual([]);
  });

  it('with a password variable that is not set, naming it', async () => {
    const { file, dataDir } = await configFile({ dashboard: { username: 'supervision', passwordEnv: 'PROWEB_TEST_DASHBOARD_PASSWORD' } });
    const run = await runCli(['dashboard', '--config', file], { PROWEB_DATA_DIR: dataDir, PROWEB_TEST_DASHBOARD_PASSWORD: '' });
    expect(run.code).toBe(1);
    expect(errorLines(run.stderr)).toEqual([expect.stringMatching(/^error: dashboard\.passwordEnv names the environment variable PROWEB_TEST_DASHBOARD_PASSWORD, which is not set/)]);
    expect(run.leftovers).toEqual([]);
  });

  it('on a host that is not a loopback address, saying why', async () => {
    for (const host of ['0.0.0.0', '192.168.1.20']) {
      const { file, dataDir } = await configFile({ dashboard: { host, username: 'supervision', password: 'secret' } });
      const run = await runCli(['dashboard', '--config', file, '--port', '0'], { PROWEB_DATA_DIR: dataDir });
      expect(run.code, host).toBe(1);
      expect(errorLines(run.stderr), host).toEqual([expect.stringMatching(new RegExp(`^error: dashboard\\.host "${host.replaceAll('.', '\\.')}" is not a loopback address: .*personal data.*\\(Use 127\\.0\\.0\\.1`))]);
      expect(run.leftovers, host).toEqual([]);
    }
  });

  it('while a campaign holds the private Redis, telling how to watch it instead', async () => {
    const { file, dataDir } = await configFile({ dashboard: { username: 'supervision', password: 'secret' } });
    const campaignRedis = await startEmbeddedRedis({ dataDir: join(dataDir, 'redis') });
    onTestFinished(() => campaignRedis.close());
    const run = await runCli(['dashboard', '--config', file, '--port', '0'], { REDIS_URL: '' });
    expect(run.code).toBe(1);
    expect(errorLines(run.stderr)).toEqual([expect.stringContaining(`(To watch its queues while it runs: REDIS_URL=${campaignRedis.url} proweb dashboard`)]);
    // The campaign's Redis is left alone.
    const client = createRedis(campaignRedis.connection);
    onTestFinished(async () => {
      await client.quit();
    });
    expect(await client.ping()).toBe('PONG');
  });
});

describe('proweb dashboard with credentials', () => {
  it('serves on loopback until interrupted, never prints the password, then stops what it started', async () => {
    const { file, dataDir } = await configFile({ dashboard: { username: 'supervision', passwordEnv: 'PROWEB_TEST_DASHBOARD_PASSWORD' } });
    const run = await runCli(['dashboard', '--config', file, '--port', '0'], {
      env: { PROWEB_DATA_DIR: dataDir, REDIS_URL: '', PROWEB_TEST_DASHBOARD_PASSWORD: 'do-not-print-me' },
      interrupt: { when: /Press Ctrl\+C to stop/, signal: 'SIGINT' },
    });
    expect(run.stdout).toMatch(/^proweb dashboard \(bull-board\) on http:\/\/127\.0\.0\.1:\d+\/$/m);
    expect(run.stdout).toMatch(/^ {2}queues: dipa-payment, .* \(prefix \{proweb\}\)$/m);
    expect(run.stdout).toMatch(/^ {2}login: {2}supervision, password from \$PROWEB_TEST_DASHBOARD_PASSWORD$/m);
    expect(run.stdout).toMatch(/^ {2}access: read-only \(set dashboard\.writable to true/m);
    expect(run.stdout).toMatch(/^ {2}masked: NIR, IBAN, e-mail, telephone, and each waiting dossier's names/m);
    expect(run.stdout + run.stderr).not.toContain('do-not-print-me');
    // Stopping it is its normal end.
    expect(run.code).toBe(0);
    expect(run.leftovers).toEqual([]);
  });
});

describe('dashboard settings', () => {
  it('accept loopback hosts only: 127.0.0.0/8, ::1 however written, localhost', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '128.0.0.1', '10.0.0.1', '192.168.1.20', 'robot-591-01', 'localhost.example.org', '', '127.0.0.1.nip.io']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('default to 127.0.0.1:3030, let --port win, and take the password from the variable named', () => {
    expect(settingsOf({ username: 'supervision', passwordEnv: 'DASH_PW' }, { DASH_PW: 's3cret' })).toEqual({
      host: '127.0.0.1', port: 3030, credentials: { username: 'supervision', password: 's3cret' }, passwordSource: '$DASH_PW', writable: false,
    });
    expect(settingsOf({ username: 'supervision', password: 'x', writable: true })).toMatchObject({ writable: true });
    expect(settingsOf({ host: '[::1]', port: 4000, username: 'supervision', password: 'x' }, {}, { port: 4100 })).toMatchObject({ host: '::1', port: 4100 });
  });

  it('refuse a user name without a password, naming dashboard.passwordEnv', () => {
    expect(() => settingsOf({ username: 'supervision' })).toThrow(ConfigError);
    expect(() => settingsOf({ username: 'supervision' })).toThrow(/has no password: set dashboard\.passwordEnv/);
    expect(() => settingsOf({ username: 'supervision', password: 'x' }, {}, { port: 70_000 })).toThrow(/port 70000 is not a TCP port/);
  });

  it('are checked by the configuration schema: a user name is required and holds no colon', () => {
    expect(configSchema.safeParse({ dashboard: { passwordEnv: 'X' } }).error?.issues[0]?.path).toEqual(['dashboard', 'username']);
    expect(configSchema.safeParse({ dashboard: { username: 'a:b', password: 'x' } }).error?.issues[0]?.message).toMatch(/cannot contain ":"/);
    expect(configSchema.parse({}).dashboard).toBeUndefined();
  });
});
