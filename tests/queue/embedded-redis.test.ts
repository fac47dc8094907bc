import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisNotInstalled, RedisStartFailed, startEmbeddedRedis, type EmbeddedRedis } from '../../queue/redis/embedded-redis.ts';
import { createRedis } from '../../queue/redis/redis-connection.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'proweb-redis-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(dataDir: string): Promise<EmbeddedRedis> {
  const redis = await startEmbeddedRedis({ dataDir });
  cleanups.push(() => redis.close());
  return redis;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('startEmbeddedRedis', () => {
  it('serves commands over a private unix socket with queue-safe settings', async () => {
    const dataDir = tempDir();
    const server = await start(dataDir);
    expect(server.connection).toEqual({ path: join(dataDir, 'redis.sock') });
    expect(server.url).toBe(`unix:${join(dataDir, 'redis.sock')}`);

    const client = createRedis(server.connection);
    try {
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await client.config('GET', 'port')).toEqual(['port', '0']);
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
    } finally {
      client.disconnect();
    }
  });

  it('keeps data across close and restart on the same folder (append-only file)', async () => {
    const dataDir = tempDir();
    const first = await startEmbeddedRedis({ dataDir });
    const writer = createRedis(first.connection);
    await writer.set('dossier:1', 'done');
    await writer.quit();
    await first.close();

    const second = await start(dataDir);
    const reader = createRedis(second.connection);
    try {
      expect(await reader.get('dossier:1')).toBe('done');
    } finally {
      reader.disconnect();
    }
  });

  it('close is idempotent and leaves no process nor socket behind', async () => {
    const dataDir = tempDir();
    const server = await startEmbeddedRedis({ dataDir });
    expect(isAlive(server.pid)).toBe(true);
    const [a, b] = [server.close(), server.close()];
    expect(a).toBe(b);
    await a;
    await server.close();
    expect(() => process.kill(server.pid, 0)).toThrow();
    expect(existsSync(join(dataDir, 'redis.sock'))).toBe(false);
    expect(existsSync(join(dataDir, 'redis.log'))).toBe(true);
  });

  it('removes a stale socket left by a crashed run', async () => {
    const dataDir = tempDir();
    const crashed = await startEmbeddedRedis({ dataDir });
    process.kill(crashed.pid, 'SIGKILL');
    await new Promise((done) => setTimeout(done, 200));
    await crashed.close();
    expect(existsSync(join(dataDir, 'redis.sock'))).toBe(true);

    const server = await start(dataDir);
    const client = createRedis(server.connection);
    try {
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('refuses to share a folder with a running server', async () => {
    const dataDir = tempDir();
    await start(dataDir);
    await expect(startEmbeddedRedis({ dataDir })).rejects.toThrow(/already listening/);
  });

  it('uses a short socket path when the data folder is too deep', async () => {
    const dataDir = join(tempDir(), 'x'.repeat(60), 'y'.repeat(60));
    const server = await start(dataDir);
    expect('path' in server.connection && server.connection.path.startsWith(tmpdir())).toBe(true);
    const client = createRedis(server.connection);
    try {
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('falls back to a loopback TCP port when no short socket path exists', async () => {
    const deep = join(tempDir(), 'x'.repeat(60), 'y'.repeat(60));
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = deep; // os.tmpdir() reads it on each call
    let server: EmbeddedRedis;
    try {
      server = await start(deep);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
    expect(server.connection).toMatchObject({ host: '127.0.0.1' });
    expect(server.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    const client = createRedis(server.connection);
    try {
      expect(await client.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('reports a missing binary as RedisNotInstalled', async () => {
    const dataDir = tempDir();
    await expect(startEmbeddedRedis({ dataDir, binary: 'proweb-no-such-redis-server' })).rejects.toThrow(RedisNotInstalled);
    await expect(startEmbeddedRedis({ dataDir, binary: '/nonexistent/redis-server' })).rejects.toThrow(/apt-get install -y redis-server|REDIS_URL/);
  });

  it('reports a server that exits at once with its last output', async () => {
    const dataDir = tempDir();
    // Stands in for a redis-server that rejects its configuration.
    const fake = join(dataDir, 'fake-redis-server');
    writeFileSync(fake, '#!/bin/sh\necho "line one"\necho ">>> FATAL CONFIG ERROR" >&2\nexit 1\n', { mode: 0o755 });
    const error = await startEmbeddedRedis({ dataDir, binary: fake }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisStartFailed);
    expect((error as Error).message).toMatch(/exited with code 1/);
    expect((error as Error).message).toMatch(/line one\n>>> FATAL CONFIG ERROR/);
    expect(existsSync(join(dataDir, 'redis.log'))).toBe(true);
  });

  it('reports a data folder that cannot be created', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    await expect(startEmbeddedRedis({ dataDir: join(file, 'data') })).rejects.toThrow(RedisStartFailed);
  });

  it('kills the server when the parent process exits without close()', async () => {
    const dataDir = tempDir();
    const script = [
      `import { startEmbeddedRedis } from ${JSON.stringify(new URL('../../queue/redis/embedded-redis.ts', import.meta.url).pathname)};`,
      `const server = await startEmbeddedRedis({ dataDir: ${JSON.stringify(dataDir)} });`,
      'process.stdout.write(String(server.pid));',
      'process.exit(0);',
    ].join('\n');
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    const pid = Number(result.stdout);
    expect(pid, result.stderr).toBeGreaterThan(0);
    // The orphan is reaped by whatever runs as PID 1, possibly late; a zombie is already dead.
    const deadline = Date.now() + 5_000;
    while (isAlive(pid) && !isZombie(pid) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
    expect(isAlive(pid) && !isZombie(pid)).toBe(false);
  }, 30_000);
});
