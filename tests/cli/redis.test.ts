import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigWithRedis, PasswordOnCommandLine, urlHasPassword } from '../../cli/redis.ts';
import { loadConfig } from '../../core/config.ts';
import { runCli } from '../support/cli.ts';
import { pingWith, startCustomRedis, type CustomRedis } from '../support/custom-redis.ts';

const PASSWORD = 'Mot-de-passe-du-Redis-4f7c';

let redis: CustomRedis;
let dir: string;
beforeAll(async () => {
  redis = await startCustomRedis((_, port) => ['--port', String(port), '--requirepass', PASSWORD], pingWith(PASSWORD));
  dir = await mkdtemp(join(tmpdir(), 'proweb-test-redis-cli-'));
}, 60_000);
afterAll(async () => {
  await redis?.close();
});

/** A file holding `text`, readable by its owner only unless `mode` says otherwise. */
async function secretFile(name: string, text: string, mode = 0o600): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `${text}\n`);
  await chmod(file, mode);
  return file;
}

const env = () => ({ PROWEB_DATA_DIR: join(dir, 'data'), PROWEB_LOG_FILE: join(dir, 'proweb.log') });

describe('a password never on a command line', () => {
  it('tells a URL with a password from one without', () => {
    expect(urlHasPassword('redis://:pw@host:6379')).toBe(true);
    expect(urlHasPassword('rediss://robot:pw@host:6380/2')).toBe(true);
    expect(urlHasPassword('redis://robot@host:6379')).toBe(false);
    expect(urlHasPassword('redis://127.0.0.1:6379')).toBe(false);
    expect(urlHasPassword('unix:/run/redis.sock')).toBe(false);
    expect(urlHasPassword('redis://:p w@host:99999')).toBe(true);
  });

  it('refuses --redis with a password, saying why and what to use, without repeating the password', async () => {
    await expect(loadConfigWithRedis({ redis: `redis://:${PASSWORD}@10.1.2.3:6379` })).rejects.toThrow(PasswordOnCommandLine);
    const run = await runCli(['machines', '--redis', `redis://:${PASSWORD}@127.0.0.1:${redis.port}`], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--redis redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ holds a password: every user of this machine can read a command line \(ps/);
    expect(run.stderr).toMatch(/Give the URL in REDIS_URL, or in a file .* REDIS_URL_FILE/);
    expect(run.stderr + run.stdout).not.toContain(PASSWORD);
  });

  it('reads the URL and its password from REDIS_URL_FILE, and the server really asks for it', async () => {
    const urlFile = await secretFile('redis-url', `redis://:${PASSWORD}@127.0.0.1:${redis.port}`);
    const run = await runCli(['machines'], { ...env(), REDIS_URL_FILE: urlFile });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No robot machine online.');

    // Without the password the same server refuses: the file's password is what let the command in.
    const anonymous = await runCli(['machines', '--redis', `redis://127.0.0.1:${redis.port}`], env());
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/NOAUTH/);
  });

  it('reads it from the file the configuration names (redisUrlFile), and never from one every user can read', async () => {
    const urlFile = await secretFile('redis-url-conf', `redis://:${PASSWORD}@127.0.0.1:${redis.port}`);
    const config = join(dir, 'proweb.config.json');
    await writeFile(config, JSON.stringify({ redisUrlFile: urlFile }));
    const run = await runCli(['machines', '--config', config], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const open = await secretFile('redis-url-open', `redis://:${PASSWORD}@127.0.0.1:${redis.port}`, 0o644);
    const refused = await runCli(['machines'], { ...env(), REDIS_URL_FILE: open });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Redis URL file ${open} is readable by every user of this machine (Restrict it: chmod 600 ${open}`);
    expect(refused.stderr).not.toContain(PASSWORD);

    await expect(loadConfig(undefined, { REDIS_URL_FILE: join(dir, 'absent') })).rejects.toThrow(`cannot read the Redis URL file ${join(dir, 'absent')}: ENOENT`);
    await expect(loadConfig(undefined, { REDIS_URL_FILE: urlFile, REDIS_URL: 'redis://127.0.0.1' })).rejects.toThrow(/both REDIS_URL and REDIS_URL_FILE are set/);
    await writeFile(config, JSON.stringify({ redisUrlFile: urlFile, redisUrl: 'redis://127.0.0.1' }));
    await expect(loadConfig(config, {})).rejects.toThrow(/both redisUrl and redisUrlFile/);
  });
});

describe('a remote Redis without password nor TLS', () => {
  it('is refused before any connection, saying why and what to do', async () => {
    const started = Date.now();
    // 10.255.255.1 answers nothing: a connection attempt would wait for the 15 s deadline.
    const run = await runCli(['machines'], { ...env(), REDIS_URL: 'redis://10.255.255.1:6379' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('refusing Redis at redis://10.255.255.1:6379: it is on another machine and reached with neither a password nor TLS');
    expect(run.stderr).toMatch(/Set a password on the server .* rediss:\/\/ with redisCaFile\. Only on an isolated test network: "allowInsecureRedis": true/);
    expect(run.stderr).not.toMatch(/did not answer/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
