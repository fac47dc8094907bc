import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants as fsConstants, createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { ProwebError } from '../../core/errors.ts';
import { createRedis } from './redis-connection.ts';

export interface EmbeddedRedisOptions {
  /** Folder for data (append-only file), the socket and `redis.log`; created if missing. */
  dataDir: string;
  /** redis-server binary, a path or a name looked up on PATH. @defaultValue 'redis-server' found on PATH */
  binary?: string;
  /** How long to wait for the server to answer PING. @defaultValue 10_000 */
  startTimeoutMs?: number;
}

/** A private redis-server child process. */
export interface EmbeddedRedis {
  /** For display: `unix:/path/redis.sock` or `redis://127.0.0.1:PORT` (both accepted by `redisOptionsFromUrl`). */
  readonly url: string;
  /** What to hand to ioredis or BullMQ (`createRedis(connection)`, `{ connection }`). */
  readonly connection: { path: string } | { host: '127.0.0.1'; port: number };
  readonly pid: number;
  /** Stops the server (AOF flushed) and waits for the process to be gone. Idempotent. */
  close(): Promise<void>;
}

/** No redis-server binary where we looked. */
export class RedisNotInstalled extends ProwebError {
  override name = 'RedisNotInstalled';
  constructor(readonly binary: string) {
    super(
      `redis-server not found (looked for "${binary}"): install redis-server (apt-get install -y redis-server) or set REDIS_URL to an existing Redis`,
      'scripts/setup.sh installs redis-server on Debian-like systems.',
    );
  }
}

/** redis-server did not come up; the message ends with what it printed last. */
export class RedisStartFailed extends ProwebError {
  override name = 'RedisStartFailed';
  constructor(
    detail: string,
    readonly output: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      `embedded redis-server failed to start: ${detail}${output.length > 0 ? `\n--- last redis-server output ---\n${output.join('\n')}` : ''}`,
      'Read the redis-server output above; check the data folder is writable, or set REDIS_URL to an existing Redis.',
      options,
    );
  }
}

const OUTPUT_LINES_KEPT = 50;
const KILL_AFTER_MS = 5_000;
// sun_path is 108 bytes on Linux and 104 on macOS; stay under both with a margin.
const MAX_SOCKET_PATH_BYTES = 100;

/**
 * Starts a private redis-server on a unix socket in `dataDir` (a loopback TCP port only
 * if no short enough socket path exists), persisting with an append-only file, and
 * resolves once it answers PING.
 *
 * @throws {@link RedisNotInstalled} when the binary cannot be found.
 * @throws {@link RedisStartFailed} when it exits early or does not answer in time.
 */
export async function startEmbeddedRedis(options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const dataDir = resolve(options.dataDir);
  const binary = findBinary(options.binary ?? 'redis-server');
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new RedisStartFailed(`cannot create the data folder ${dataDir}: ${(error as Error).message}`, [], { cause: error });
  }

  const connection = await chooseEndpoint(dataDir);
  const listenArgs = 'path' in connection
    ? ['--port', '0', '--unixsocket', connection.path, '--unixsocketperm', '700']
    : ['--port', String(connection.port)];
  const args = [
    ...listenArgs,
    // Belt and braces: even with TCP off, nothing may ever listen beyond loopback.
    '--bind', '127.0.0.1',
    '--dir', dataDir,
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    '--save', '',
    // BullMQ loses jobs silently if Redis evicts keys; failing writes is better.
    '--maxmemory-policy', 'noeviction',
    '--daemonize', 'no',
    '--protected-mode', 'yes',
  ];

  const child = spawn(binary, args, { cwd: dataDir, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = captureOutput(child, join(dataDir, 'redis.log'));
  // 'close' rather than 'exit': it comes after the last output, which error messages quote.
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  try {
    await new Promise<void>((done, fail) => {
      child.once('spawn', done);
      child.once('error', fail);
    });
  } catch (error) {
    await output.close();
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new RedisNotInstalled(binary);
    throw new RedisStartFailed(`could not run ${binary}: ${(error as Error).message}`, [], { cause: error });
  }

  // If the parent dies without close() (process.exit, uncaught exception), the server must not survive it.
  const killOnExit = (): void => { if (isRunning(child)) child.kill('SIGKILL'); };
  process.on('exit', killOnExit);

  const stop = async (): Promise<void> => {
    try {
      if (isRunning(child)) {
        // SIGTERM makes redis flush and fsync the AOF, and unlink its socket, before exiting.
        child.kill('SIGTERM');
        let killed = false;
        const timer = setTimeout(() => {
          if (isRunning(child)) killed = child.kill('SIGKILL');
        }, KILL_AFTER_MS);
        await exited;
        clearTimeout(timer);
        // Only a killed server leaves its socket; one that died on its own is cleaned at the next start,
        // since by now the path may belong to a new server.
        if (killed && 'path' in connection) rmSync(connection.path, { force: true });
      }
    } finally {
      process.off('exit', killOnExit);
      await output.close();
    }
  };

  try {
    await waitUntilReady(connection, child, exited, startTimeoutMs);
  } catch (error) {
    await stop();
    if (error instanceof StartProblem) throw new RedisStartFailed(error.message, output.lines(), { cause: error.cause });
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    url: 'path' in connection ? `unix:${connection.path}` : `redis://127.0.0.1:${connection.port}`,
    connection,
    pid: child.pid!,
    close: () => (closing ??= stop()),
  };
}

/** Internal signal from the readiness loop; rethrown with the output attached. */
class StartProblem extends Error {}

function findBinary(binary: string): string {
  const candidates = binary.includes('/')
    ? [resolve(binary)]
    : (process.env.PATH ?? '').split(delimiter).filter((dir) => isAbsolute(dir)).map((dir) => join(dir, binary));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, fsConstants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here, try the next one
    }
  }
  throw new RedisNotInstalled(binary);
}

async function chooseEndpoint(dataDir: string): Promise<{ path: string } | { host: '127.0.0.1'; port: number }> {
  const inDataDir = join(dataDir, 'redis.sock');
  // A deep dataDir gives a socket path the kernel refuses; a name derived from dataDir
  // stays stable across runs, so a stale socket from a crash is found and cleaned.
  const inTmp = join(tmpdir(), `proweb-redis-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}.sock`);
  for (const path of [inDataDir, inTmp]) {
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) continue;
    await removeStaleSocket(path);
    return { path };
  }
  return { host: '127.0.0.1', port: await freeLoopbackPort() };
}

async function removeStaleSocket(path: string): Promise<void> {
  if (!existsSync(path)) return;
  const alive = await new Promise<boolean>((done) => {
    const socket = connect({ path });
    socket.once('connect', () => { socket.destroy(); done(true); });
    socket.once('error', () => done(false));
  });
  if (alive) {
    throw new RedisStartFailed(
      `another redis-server is already listening on ${path}: two processes are using the same data folder; stop the other one or use another folder`,
      [],
    );
  }
  rmSync(path, { force: true });
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

async function waitUntilReady(
  connection: { path: string } | { host: string; port: number },
  child: ChildProcess,
  exited: Promise<void>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (!isRunning(child)) {
      await exited;
      throw new StartProblem(`redis-server exited with ${describeExit(child)}`);
    }
    try {
      if (await pingOnce(connection)) return;
    } catch (pingError) {
      lastError = pingError;
    }
    if (Date.now() >= deadline) {
      throw new StartProblem(`no answer to PING within ${timeoutMs} ms`, { cause: lastError });
    }
    await Promise.race([exited, new Promise((done) => setTimeout(done, 50))]);
  }
}

async function pingOnce(connection: { path: string } | { host: string; port: number }): Promise<boolean> {
  const client = createRedis(connection, {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 1_000,
  });
  // Connection refusals are expected while the server boots; without a listener ioredis prints them.
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } finally {
    client.disconnect();
  }
}

function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

function describeExit(child: ChildProcess): string {
  return child.signalCode ? `signal ${child.signalCode}` : `code ${child.exitCode}`;
}

/** Keeps the last lines for error messages and copies everything to redis.log. */
function captureOutput(child: ChildProcess, logFile: string): { lines(): string[]; close(): Promise<void> } {
  const kept: string[] = [];
  const log = createWriteStream(logFile, { flags: 'a' });
  log.on('error', () => {}); // a full disk must not crash the queue; the tail is still kept in memory
  let partial = '';
  const onData = (chunk: Buffer): void => {
    log.write(chunk);
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) if (line.trim() !== '') kept.push(line);
    if (kept.length > OUTPUT_LINES_KEPT) kept.splice(0, kept.length - OUTPUT_LINES_KEPT);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  // The stream opens its file asynchronously: whoever reads redis.log after a failed start must find it.
  // 'close' also follows an error (file streams destroy themselves), so this always settles.
  const flushed = new Promise<void>((done) => log.once('close', done));
  return {
    lines: () => (partial.trim() !== '' ? [...kept, partial] : [...kept]).slice(-OUTPUT_LINES_KEPT),
    close: () => {
      if (!log.writableEnded) log.end();
      return flushed;
    },
  };
}
