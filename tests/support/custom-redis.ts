import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedis } from '../../queue/redis/redis-connection.ts';

/** A free TCP port on the loopback address (asked of the kernel, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** A real redis-server on a loopback TCP port, with the settings a test needs (requirepass, TLS...). */
export interface CustomRedis {
  port: number;
  dir: string;
  close(): Promise<void>;
}

/**
 * Starts `redis-server` on 127.0.0.1 with `args` added to durable, non-evicting defaults, and
 * resolves once `ready` (a client's check, e.g. an authenticated PING) succeeds.
 */
export async function startCustomRedis(args: (dir: string, port: number) => string[], ready: (port: number) => Promise<unknown>): Promise<CustomRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'proweb-test-custom-redis-'));
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', [
    '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '',
    '--maxmemory-policy', 'noeviction', '--daemonize', 'no', ...args(dir, port),
  ], { cwd: dir, stdio: 'ignore' });
  const exited = once(child, 'close');
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([ready(port), exited.then(() => Promise.reject(new Error(`redis-server ${args(dir, port).join(' ')} exited at start`)))]);
  } catch (error) {
    await close();
    throw error;
  }
  return { port, dir, close };
}

/** `ready` for a plain or password-protected server: a PING that succeeds (the client retries until it is up). */
export function pingWith(password?: string) {
  return async (port: number) => {
    const client = createRedis({ host: '127.0.0.1', port }, password ? { password } : {});
    client.on('error', () => undefined);
    try {
      await client.ping();
    } finally {
      client.disconnect();
    }
  };
}
