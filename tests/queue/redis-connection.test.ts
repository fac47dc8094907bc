import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedRedis } from '../../queue/redis/embedded-redis.ts';
import { createRedis, InvalidRedisUrl, isClusterTarget, RedisCaFileError, redisConnectionFor, redisOptionsFromUrl, redisTargetFromUrl, type ClusterTarget } from '../../queue/redis/redis-connection.ts';
import { InsecureRedis, isLoopbackHost } from '../../queue/redis/redis-policy.ts';
import { startCustomRedis, type CustomRedis } from '../support/custom-redis.ts';

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

describe('redisTargetFromUrl: Sentinel and Redis Cluster', () => {
  it('reads a Sentinel URL: the sentinels, the master name, the database, one password for sentinels and servers', () => {
    const options = redisOptionsFromUrl('redis+sentinel://robot:s%40cret@10.0.0.1:26380,sentinel-b,[fd00::7]:26381/proweb-main/2');
    expect(options).toMatchObject({
      sentinels: [{ host: '10.0.0.1', port: 26380 }, { host: 'sentinel-b', port: 26379 }, { host: 'fd00::7', port: 26381 }],
      name: 'proweb-main', role: 'master', db: 2, failoverDetector: true,
      username: 'robot', password: 's@cret', sentinelUsername: 'robot', sentinelPassword: 's@cret', maxRetriesPerRequest: null,
    });
    expect(options.tls).toBeUndefined();
    expect(redisOptionsFromUrl('rediss+sentinel://:pw@s1:26379/m')).toMatchObject({ tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true, password: 'pw' });
  });

  it('reads a cluster URL: the nodes to start from, the password and TLS of every node', () => {
    const target = redisTargetFromUrl('rediss+cluster://:pw@10.0.0.1:7000,10.0.0.2') as ClusterTarget;
    expect(isClusterTarget(target)).toBe(true);
    expect(target.cluster).toEqual([{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 6379 }]);
    expect(target.options.redisOptions).toMatchObject({ password: 'pw', tls: {}, maxRetriesPerRequest: null });
    expect(() => redisOptionsFromUrl('redis+cluster://127.0.0.1:7000')).toThrow('a Redis Cluster, where one server is expected');
  });

  it.each([
    ['redis+sentinel://127.0.0.1:26379', /no master name/],
    ['redis+sentinel://127.0.0.1:26379/m/x', /database "x" is not a number/],
    ['redis+sentinel://127.0.0.1:26379/m/1/2', /only a database number/],
    ['redis+sentinel://127.0.0.1:99999/m', /port 99999 is out of range/],
    ['redis+sentinel://a,,b/m', /an empty host in the list/],
    ['redis+cluster://127.0.0.1:7000/0', /has no database number/],
    ['redis+cluster://127.0.0.1:7000?family=6', /query parameters are not supported/],
    ['redis+shard://127.0.0.1:7000', /unsupported scheme "redis\+shard:"/],
  ])('rejects %s with a message naming it', (url, detail) => {
    expect(() => redisTargetFromUrl(url)).toThrow(InvalidRedisUrl);
    expect(() => redisTargetFromUrl(url)).toThrow(detail);
  });

  it('masks the password of a multi-node URL in errors', () => {
    expect(() => redisTargetFromUrl('redis+sentinel://:topsecret@a:1')).toThrow(/redis\+sentinel:\/\/:\*\*\*@a:1/);
    expect(() => redisTargetFromUrl('redis+sentinel://:topsecret@a:1')).not.toThrow(/topsecret/);
  });

  it('applies the transport rules to every sentinel and every node given', async () => {
    await expect(redisConnectionFor('redis+sentinel://127.0.0.1:26379,10.255.255.1:26379/m')).rejects.toThrow(InsecureRedis);
    await expect(redisConnectionFor('redis+cluster://127.0.0.1:7000,10.255.255.1:7000')).rejects.toThrow(InsecureRedis);
    await expect(redisConnectionFor('redis+sentinel://127.0.0.1:26379,[::1]:26380/m')).resolves.toBeDefined();
    await expect(redisConnectionFor('redis+cluster://:pw@10.255.255.1:7000')).resolves.toBeDefined();
    await expect(redisConnectionFor('rediss+sentinel://10.255.255.1:26379/m')).resolves.toBeDefined();
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

describe('redisConnectionFor: the deployment rules, before any connection', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', '0:0:0:0:0:0:0:1', '[::1]', '::ffff:127.0.0.1', '::ffff:7f00:1', 'localhost', 'LOCALHOST']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['10.255.255.1', '128.0.0.1', '::2', '::ffff:10.0.0.1', 'localhost.example.org', 'redis.caisse.local', '0.0.0.0', '::']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it.each(['redis://10.255.255.1:6379', 'redis://redis.caisse.local', 'redis://robot@10.255.255.1:6379/2', 'redis://[fd00::5]:6379'])('refuses %s: remote, no password, no TLS', async (url) => {
    await expect(redisConnectionFor(url)).rejects.toThrow(InsecureRedis);
    await expect(redisConnectionFor(url)).rejects.toThrow(`refusing Redis at ${url}: it is on another machine and reached with neither a password nor TLS`);
  });

  it('accepts a remote Redis with a password, with TLS, or when the configuration allows it explicitly', async () => {
    await expect(redisConnectionFor('redis://:pw@10.255.255.1:6379')).resolves.toMatchObject({ host: '10.255.255.1', password: 'pw' });
    await expect(redisConnectionFor('rediss://10.255.255.1:6380')).resolves.toMatchObject({ host: '10.255.255.1', tls: {} });
    await expect(redisConnectionFor('redis://10.255.255.1:6379', { allowInsecure: true })).resolves.toMatchObject({ host: '10.255.255.1' });
  });

  it('accepts loopback and unix sockets without password', async () => {
    for (const url of ['redis://127.0.0.1:6379', 'redis://localhost', 'redis://[::1]:6379', 'unix:/run/redis/redis.sock']) await expect(redisConnectionFor(url), url).resolves.toBeDefined();
  });

  it('refuses a CA file it cannot use, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proweb-ca-test-'));
    try {
      const missing = join(dir, 'absent.pem');
      await expect(redisConnectionFor('rediss://:pw@10.255.255.1', { caFile: missing })).rejects.toThrow(RedisCaFileError);
      await expect(redisConnectionFor('rediss://:pw@10.255.255.1', { caFile: missing })).rejects.toThrow(`Redis CA file ${missing}: cannot be read (ENOENT)`);
      const notPem = join(dir, 'ca.txt');
      writeFileSync(notPem, 'not a certificate');
      await expect(redisConnectionFor('rediss://:pw@10.255.255.1', { caFile: notPem })).rejects.toThrow(`Redis CA file ${notPem}: holds no PEM certificate`);
      await expect(redisConnectionFor('redis://:pw@10.255.255.1', { caFile: notPem })).rejects.toThrow(`Redis CA file ${notPem}: given, but redis://:***@10.255.255.1 is not a rediss:// URL`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rediss:// with a CA file, against a real TLS redis-server', () => {
  let dir: string;
  let server: CustomRedis;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'proweb-tls-test-'));
    // A private authority and a certificate it signs for localhost, as a caisse's PKI would issue.
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=proweb test CA');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
    server = await startCustomRedis(
      (_, port) => ['--port', '0', '--tls-port', String(port), '--tls-cert-file', join(dir, 'server.pem'), '--tls-key-file', join(dir, 'server.key'), '--tls-ca-cert-file', join(dir, 'ca.pem'), '--tls-auth-clients', 'no'],
      async (port) => {
        const client = createRedis(await redisConnectionFor(`rediss://localhost:${port}`, { caFile: join(dir, 'ca.pem') }));
        client.on('error', () => undefined);
        try {
          await client.ping();
        } finally {
          client.disconnect();
        }
      },
    );
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects when the CA file signs the server\'s certificate, and not without it', async () => {
    const trusted = createRedis(await redisConnectionFor(`rediss://localhost:${server.port}`, { caFile: join(dir, 'ca.pem') }));
    try {
      expect(await trusted.ping()).toBe('PONG');
    } finally {
      trusted.disconnect();
    }
    // The system's authorities do not know the caisse's: the handshake fails on the certificate.
    const untrusted = createRedis(await redisConnectionFor(`rediss://localhost:${server.port}`), { retryStrategy: () => null, maxRetriesPerRequest: 0 });
    const failure = new Promise<Error>((resolve) => untrusted.once('error', resolve));
    try {
      expect((await failure).message).toMatch(/self[- ]signed certificate|unable to verify|unable to get local issuer/i);
    } finally {
      untrusted.disconnect();
    }
  });
});
