import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigError } from './errors.ts';

/**
 * The deployment secret: one random value shared by every machine of a deployment (the
 * same Redis, the same prefix). From it come, by HKDF, a key for dossier ids (so that no
 * one holding Redis or the ledger can find a NIR or a PS number back from an id) and a
 * key for job payloads (so that no one who can write to Redis can make a robot type a row
 * this deployment did not submit, nor read the rows queued).
 *
 * It is never logged nor put on a command line: it comes from `PROWEB_SECRET`, from a file
 * (`PROWEB_SECRET_FILE` or `secretFile` in the configuration), or, on one machine with
 * its private Redis, from `${dataDir}/secret`, generated once.
 */

/** Bytes of randomness a secret must carry at least: the keys derived from it are 256-bit keys. */
export const SECRET_MIN_BYTES = 32;

const CREATE_HINT = 'Create one with `openssl rand -base64 32` (or `node -e "console.log(require(\'node:crypto\').randomBytes(32).toString(\'base64\'))"`), '
  + 'keep it in a file readable by the robot\'s account only (chmod 600), and give the same one to every machine of the deployment: '
  + 'PROWEB_SECRET_FILE=/etc/proweb/secret, or "secretFile" in proweb.config.json (or the value itself in PROWEB_SECRET, from a systemd credential or a vault).';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** HKDF's salt: fixed, so that every machine derives the same keys from the same secret. */
const HKDF_SALT = 'proweb deployment secret';
/** One label per use: a key never serves two purposes. */
const PURPOSES = { ids: 'proweb dossier ids v1', jobs: 'proweb job payloads v1' } as const;

/** The deployment secret, as the two keys derived from it. Printing it shows nothing. */
export class DeploymentSecret {
  /** HMAC-SHA256 key of dossier ids. */
  readonly #idKey: Buffer;
  /** AES-256-GCM key of job payloads. */
  readonly #jobKey: Buffer;
  /** Where it came from (an environment variable, a file): for messages, never the value. */
  readonly source: string;

  private constructor(master: Buffer, source: string) {
    this.#idKey = Buffer.from(hkdfSync('sha256', master, HKDF_SALT, PURPOSES.ids, 32));
    this.#jobKey = Buffer.from(hkdfSync('sha256', master, HKDF_SALT, PURPOSES.jobs, 32));
    this.source = source;
  }

  /**
   * A secret from its text: at least {@link SECRET_MIN_BYTES} random bytes, written in hex
   * or base64 (standard or URL-safe). Surrounding white space (a file's last newline) is ignored.
   * @throws ConfigError when the text is not such a value.
   */
  static fromText(text: string, source: string): DeploymentSecret {
    const master = decodeSecret(text.trim());
    if (!master) {
      throw new ConfigError(
        `the deployment secret (${source}) is not at least ${SECRET_MIN_BYTES} bytes of entropy written in hex (${SECRET_MIN_BYTES * 2} characters or more) or base64 (44 characters or more)`,
        CREATE_HINT,
      );
    }
    return new DeploymentSecret(master, source);
  }

  /** A secret from random bytes (at least {@link SECRET_MIN_BYTES}). */
  static fromBytes(bytes: Uint8Array, source: string): DeploymentSecret {
    if (bytes.length < SECRET_MIN_BYTES) throw new ConfigError(`the deployment secret (${source}) has ${bytes.length} bytes; it needs at least ${SECRET_MIN_BYTES}`, CREATE_HINT);
    return new DeploymentSecret(Buffer.from(bytes), source);
  }

  /** HMAC-SHA256 of `message` under the dossier-id key, in hex. */
  idMac(message: string): string {
    return createHmac('sha256', this.#idKey).update(message, 'utf8').digest('hex');
  }

  /**
   * AES-256-GCM under the job key: `iv (12) | ciphertext | tag (16)`. `aad` is authenticated,
   * not encrypted: changing it, like changing a byte of the result, makes {@link open} fail.
   */
  seal(plaintext: Buffer, aad: Buffer): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#jobKey, iv);
    cipher.setAAD(aad);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]);
  }

  /** What {@link seal} sealed with this secret and this `aad`; undefined for anything else. */
  open(sealed: Buffer, aad: Buffer): Buffer | undefined {
    if (sealed.length < IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#jobKey, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch {
      return undefined;
    }
  }

  toString(): string {
    return `[deployment secret from ${this.source}]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * The bytes a secret's text stands for, or undefined when it is not a hex or base64 value of
 * at least {@link SECRET_MIN_BYTES} bytes that looks random (a run of one byte is refused).
 */
function decodeSecret(text: string): Buffer | undefined {
  let bytes: Buffer | undefined;
  if (/^(?:[0-9a-fA-F]{2})+$/.test(text)) bytes = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/]+={0,2}$/.test(text)) bytes = Buffer.from(text, 'base64');
  else if (/^[A-Za-z0-9_-]+$/.test(text)) bytes = Buffer.from(text, 'base64url');
  // Only what an encoder writes: a phrase typed by hand is seldom a whole number of base64 blocks.
  if (bytes && bytes.toString('base64') !== text && bytes.toString('base64url') !== text && bytes.toString('hex') !== text.toLowerCase()) return undefined;
  if (!bytes || bytes.length < SECRET_MIN_BYTES) return undefined;
  // 32 random bytes show some 28 different values; a secret typed by hand ("0000…", "abab…") shows a few.
  if (new Set(bytes).size < 16) return undefined;
  return bytes;
}

export interface LoadSecretOptions {
  /** `secretFile` of the configuration. */
  secretFile?: string | undefined;
  /** Where `${dataDir}/secret` is kept on a one-machine deployment. */
  dataDir: string;
  /** Whether the deployment shares a Redis (`redisUrl` set): then no secret is ever generated here. */
  sharedRedis: boolean;
  /** @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * The deployment secret: `PROWEB_SECRET`, else the file of `PROWEB_SECRET_FILE`, else the
 * configuration's `secretFile`. With none of them, a machine alone (its private Redis)
 * generates one once into `${dataDir}/secret` (mode 0600) and reuses it; a machine of a
 * fleet (a shared Redis) cannot: every machine must hold the same secret, so it is refused.
 * @throws ConfigError when the secret is missing on a fleet, unreadable, too weak, or readable by anyone.
 */
export async function loadDeploymentSecret(options: LoadSecretOptions): Promise<DeploymentSecret> {
  const env = options.env ?? process.env;
  if (env.PROWEB_SECRET) return DeploymentSecret.fromText(env.PROWEB_SECRET, 'PROWEB_SECRET');
  const file = env.PROWEB_SECRET_FILE || options.secretFile;
  if (file) return DeploymentSecret.fromText(await readSecretFile(file), `file ${file}`);
  if (options.sharedRedis) {
    throw new ConfigError(
      'this machine shares a Redis with a fleet but has no deployment secret (PROWEB_SECRET, PROWEB_SECRET_FILE or "secretFile" in the configuration)',
      `Every machine of the deployment needs the same secret: it keys the dossier ids and seals the jobs in Redis. ${CREATE_HINT}`,
    );
  }
  return generatedSecret(join(options.dataDir, 'secret'));
}

/** Reads a secret file, refusing one that any account of the machine may read or change. */
async function readSecretFile(file: string): Promise<string> {
  try {
    const info = await stat(file);
    if ((info.mode & 0o007) !== 0) {
      throw new ConfigError(`the deployment secret file ${file} is readable or writable by every account of this machine (mode ${(info.mode & 0o777).toString(8)})`, `Run \`chmod 600 ${file}\` (or 640 with a group of the robot's account).`);
    }
    return await readFile(file, 'utf8');
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError(`cannot read the deployment secret file ${file}: ${(cause as NodeJS.ErrnoException).code ?? cause}`, 'Check the path in PROWEB_SECRET_FILE or "secretFile", and that the robot\'s account may read it.', { cause });
  }
}

/**
 * The secret of a machine alone, created on first use. Written whole to a temporary file
 * and linked into place, so that two commands starting together agree on one secret and
 * none ever reads half of it.
 */
async function generatedSecret(path: string): Promise<DeploymentSecret> {
  try {
    return DeploymentSecret.fromText(await readSecretFile(path), `file ${path}`);
  } catch (error) {
    if (!(error instanceof ConfigError) || (error.cause as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT') throw error;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(temporary, `${randomBytes(SECRET_MIN_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary);
  }
  return DeploymentSecret.fromText(await readSecretFile(path), `file ${path}`);
}
