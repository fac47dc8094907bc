import type { Redis } from 'ioredis';
import type { ProwebConfig } from '../core/config.ts';
import { startEmbeddedRedis } from '../queue/embedded-redis.ts';
import { createRedis, redisOptionsFromUrl } from '../queue/redis-connection.ts';
import type { Closer } from './closer.ts';

/** The Redis this command works with: `REDIS_URL` if set, else a private redis-server under the data folder. */
export async function openRedis(config: ProwebConfig, closer: Closer, dataDir = `${config.dataDir}/redis`): Promise<{ connection: object; client: Redis; where: string }> {
  let connection: object;
  let where: string;
  if (config.redisUrl) {
    connection = redisOptionsFromUrl(config.redisUrl);
    where = config.redisUrl.replace(/\/\/[^@/]*@/, '//***@');
  } else {
    const embedded = closer.add('redis-server', await startEmbeddedRedis({ dataDir }), (r) => r.close());
    connection = embedded.connection;
    where = `embedded redis-server (${embedded.url})`;
  }
  const client = closer.add('redis client', createRedis(connection), (c) => c.quit());
  client.on('error', () => undefined);
  return { connection, client, where };
}
