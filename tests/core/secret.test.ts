import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.ts';
import { DeploymentSecret, loadDeploymentSecret } from '../../core/secret.ts';
import { OTHER_SECRET_TEXT, TEST_SECRET_TEXT, testSecret } from '../support/secret.ts';

const folders: string[] = [];
const folder = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'proweb-secret-'));
  folders.push(dir);
  return dir;
};
afterEach(async () => {
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Two secrets are the same when they key the same ids. */
const sameSecret = (a: DeploymentSecret, b: DeploymentSecret) => a.idMac('x') === b.idMac('x');

describe('the deployment secret', () => {
  it('is taken from PROWEB_SECRET first, then PROWEB_SECRET_FILE, then the configuration\'s secretFile', async () => {
    const dir = await folder();
    const fromEnvFile = join(dir, 'env-secret');
    const fromConfig = join(dir, 'config-secret');
    await writeFile(fromEnvFile, `${OTHER_SECRET_TEXT}\n`, { mode: 0o600 });
    await writeFile(fromConfig, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const load = (env: NodeJS.ProcessEnv) => loadDeploymentSecret({ secretFile: fromConfig, dataDir: dir, sharedRedis: true, env });
    expect(sameSecret(await load({ PROWEB_SECRET: TEST_SECRET_TEXT, PROWEB_SECRET_FILE: fromEnvFile }), testSecret)).toBe(true);
    expect(sameSecret(await load({ PROWEB_SECRET_FILE: fromEnvFile }), DeploymentSecret.fromText(OTHER_SECRET_TEXT, 'x'))).toBe(true);
    const configured = await load({});
    expect(configured.source).toBe(`file ${fromConfig}`);
    expect(sameSecret(configured, testSecret)).toBe(false);
  });

  it('is refused on a fleet (a shared Redis) when none is given, saying how to make one for every machine', async () => {
    const dir = await folder();
    const error = await loadDeploymentSecret({ dataDir: dir, sharedRedis: true, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/shares a Redis with a fleet but has no deployment secret/);
    expect((error as ConfigError).hint).toMatch(/openssl rand -base64 32/);
    expect((error as ConfigError).hint).toMatch(/same secret/);
    // Nothing was generated: a secret of its own would open none of the others' jobs.
    await expect(stat(join(dir, 'secret'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('is generated once on a machine alone, mode 0600, and the same one reused after', async () => {
    const dir = await folder();
    const dataDir = join(dir, 'data');
    const [first, second] = await Promise.all([
      loadDeploymentSecret({ dataDir, sharedRedis: false, env: {} }),
      loadDeploymentSecret({ dataDir, sharedRedis: false, env: {} }),
    ]);
    const file = join(dataDir, 'secret');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64')).toHaveLength(32);
    expect(sameSecret(first, second)).toBe(true);
    const later = await loadDeploymentSecret({ dataDir, sharedRedis: false, env: {} });
    expect(sameSecret(first, later)).toBe(true);
    expect(sameSecret(first, testSecret)).toBe(false);
  });

  it('must carry at least 32 bytes of entropy, and says so', () => {
    const phrase = 'lemotdepassedelacaisseprimairedassurancemaladiedelille';
    for (const weak of ['motdepasse', phrase, randomBytes(16).toString('base64'), randomBytes(31).toString('hex'), '0'.repeat(64), 'ab'.repeat(32)]) {
      expect(() => DeploymentSecret.fromText(weak, 'PROWEB_SECRET'), weak).toThrow(/at least 32 bytes of entropy/);
    }
    for (const strong of [randomBytes(32).toString('base64'), randomBytes(32).toString('base64url'), randomBytes(48).toString('hex'), `  ${randomBytes(32).toString('hex')}\n`]) {
      expect(() => DeploymentSecret.fromText(strong, 'PROWEB_SECRET')).not.toThrow();
    }
  });

  it('refuses a secret file that every account of the machine may read', async () => {
    const dir = await folder();
    const file = join(dir, 'secret');
    await writeFile(file, TEST_SECRET_TEXT);
    await chmod(file, 0o644);
    await expect(loadDeploymentSecret({ secretFile: file, dataDir: dir, sharedRedis: true, env: {} })).rejects.toThrow(/readable or writable by every account/);
    await chmod(file, 0o600);
    expect(sameSecret(await loadDeploymentSecret({ secretFile: file, dataDir: dir, sharedRedis: true, env: {} }), testSecret)).toBe(true);
  });

  it('never shows its value when printed, logged or serialised', () => {
    const shown = [String(testSecret), JSON.stringify({ secret: testSecret }), inspect(testSecret), inspect({ nested: testSecret })].join('\n');
    expect(shown).not.toContain(TEST_SECRET_TEXT);
    expect(shown).not.toContain(Buffer.from(TEST_SECRET_TEXT, 'base64').toString('hex'));
    expect(shown).toContain('deployment secret');
  });

  it('seals what only the same secret and the same authenticated data open', () => {
    const aad = Buffer.from('campaign 1, row 7');
    const sealed = testSecret.seal(Buffer.from('DURAND Paulette'), aad);
    expect(sealed.toString('latin1')).not.toContain('DURAND');
    expect(testSecret.open(sealed, aad)?.toString()).toBe('DURAND Paulette');
    expect(testSecret.open(sealed, Buffer.from('campaign 1, row 8'))).toBeUndefined();
    expect(DeploymentSecret.fromText(OTHER_SECRET_TEXT, 'x').open(sealed, aad)).toBeUndefined();
    const flipped = Buffer.from(sealed);
    flipped[14] = flipped[14]! ^ 1;
    expect(testSecret.open(flipped, aad)).toBeUndefined();
  });
});
