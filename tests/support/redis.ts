import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../queue/redis/embedded-redis.ts';
import { createRedis } from '../../queue/redis/redis-connection.ts';

/** A real redis-server private to one test file, in a temporary folder. */
export interface TestRedis {
  server: EmbeddedRedis;
  client: Redis;
  /** A fresh key prefix, so that tests sharing the server never see each other's keys. */
  prefix(): string;
  close(): Promise<void>;
}

export async function startTestRedis(): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'proweb-test-redis-'));
  const server = await startEmbeddedRedis({ dataDir: dir });
  const client = createRedis(server.connection);
  let n = 0;
  return {
    server,
    client,
    prefix: () => `t${process.pid}-${++n}-${Math.random().toString(36).slice(2, 8)}`,
    async close() {
      await client.quit();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
