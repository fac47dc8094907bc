import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmbeddedRedis } from '../../queue/embedded-redis.ts';
import { createRedis, InvalidRedisUrl, redisOptionsFromUrl } from '../../queue/redis-connection.ts';

describe('redisOptionsFromUrl', () => {
  it('parses a plain redis:// URL with the default port', () => {
    expect(redisOptionsFromUrl('redis://localhost')).toEqual({
      host: 'localhost', port: 6379, maxRetriesPerRequest: null, enableReadyCheck: true,
    });
  });

  it('parses port, user, password and database', () => {
    const options = redisOptionsFromUrl('redis://worker:s%40cret@redis.internal:6380/3');
    expect(options).toMatchObject({ host: 'redis.internal', port: 6380, username: 'worker', password: 's@cret', db: 3 });
    expect(options.tls).toBeUndefined();
  });

  it('accepts a password without user', () => {
    const options = redisOptionsFromUrl('redis://:pw@10.0.0.5:6379/0');
    expect(options).toMatchObject({ host: '10.0.0.5', password: 'pw', db: 0 });
    expect(options.username).toBeUndefined();
  });

  it('turns on TLS for rediss://', () => {
    expect(redisOptionsFromUrl('rediss://:pw@cache.example.org:6380')).toMatchObject({ host: 'cache.example.org', port: 6380, tls: {} });
  });

  it('strips brackets from IPv6 hosts', () => {
    expect(redisOptionsFromUrl('redis://[::1]:7000').host).toBe('::1');
  });

  it('accepts the unix: form shown by the embedded server', () => {
    expect(redisOptionsFromUrl('unix:/var/run/redis.sock')).toMatchObject({ path: '/var/run/redis.sock' });
    expect(redisOptionsFromUrl('unix:///var/run/redis.sock')).toMatchObject({ path: '/var/run/redis.sock' });
  });

  it.each([
    ['not a url', /not a URL/],
    ['localhost:6379', /unsupported scheme "localhost:"/],
    ['http://localhost:6379', /unsupported scheme "http:"/],
    ['redis://host/abc', /database "abc" is not a number/],
    ['redis://host:99999', /not a URL/],
    ['redis://host?family=6', /query parameters are not supported \(family\)/],
    ['unix:relative.sock', /unix:\/absolute/],
  ])('rejects %s with a message naming it', (url, detail) => {
    expect(() => redisOptionsFromUrl(url)).toThrow(InvalidRedisUrl);
    expect(() => redisOptionsFromUrl(url)).toThrow(detail);
    expect(() => redisOptionsFromUrl(url)).toThrow(url);
  });

  it('masks the password in errors', () => {
    expect(() => redisOptionsFromUrl('redis://u:topsecret@host/x')).toThrow(/redis:\/\/u:\*\*\*@host\/x/);
    expect(() => redisOptionsFromUrl('redis://u:topsecret@host/x')).not.toThrow(/topsecret/);
  });
});

describe('createRedis', () => {
  it('builds BullMQ-ready clients that reach a real server via socket and via URL', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'proweb-conn-test-'));
    const server = await startEmbeddedRedis({ dataDir });
    try {
      const direct = createRedis(server.connection);
      const viaUrl = createRedis(redisOptionsFromUrl(server.url), { connectionName: 'proweb-test' });
      try {
        expect(direct.options.maxRetriesPerRequest).toBeNull();
        expect(direct.options.enableReadyCheck).toBe(true);
        await direct.set('a', '1');
        expect(await viaUrl.get('a')).toBe('1');
        expect(await viaUrl.client('GETNAME')).toBe('proweb-test');
      } finally {
        direct.disconnect();
        viaUrl.disconnect();
      }
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
