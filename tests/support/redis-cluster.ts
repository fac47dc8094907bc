import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { createRedis } from '../../queue/redis/redis-connection.ts';
import { freePort } from './custom-redis.ts';
import { eventually } from './eventually.ts';

/** One `redis-server` (or sentinel) this file started on 127.0.0.1, with a client to it. */
export interface RedisNode {
  port: number;
  client: Redis;
  /** SIGKILL, as a power cut; resolves once the process is gone. */
  crash(): Promise<void>;
  /** Starts the server again after a crash, on its port, data folder and settings, as its service manager would. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Settings of every data node: durable and non-evicting, as a deployment must run them. */
const DURABLE = ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction'];

async function startNode(dir: string, name: string, args: string[], password: string): Promise<RedisNode> {
  const port = await freePort();
  const home = join(dir, name);
  await mkdir(home, { recursive: true });
  const sentinel = args[0] === '--sentinel-conf';
  let command: string[];
  if (sentinel) {
    // A sentinel rewrites its configuration file: it must be a file of its own.
    const conf = join(home, 'sentinel.conf');
    await writeFile(conf, `${args.slice(1).join('\n')}\n`);
    command = [conf, '--sentinel', '--port', String(port), '--bind', '127.0.0.1', '--dir', home, '--daemonize', 'no', '--requirepass', password];
  } else {
    command = ['--port', String(port), '--bind', '127.0.0.1', '--dir', home, '--daemonize', 'no', '--requirepass', password, '--masterauth', password, ...DURABLE, ...args];
  }
  let child: ChildProcess = spawn('redis-server', command, { cwd: home, stdio: 'ignore' });
  let exited = once(child, 'close');
  const client = createRedis({ host: '127.0.0.1', port }, { password });
  client.on('error', () => undefined);
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  try {
    await Promise.race([client.ping(), exited.then(() => Promise.reject(new Error(`redis-server ${name} exited at start`)))]);
  } catch (error) {
    client.disconnect();
    await kill('SIGKILL');
    throw error;
  }
  return {
    port,
    client,
    crash: () => kill('SIGKILL'),
    async restart() {
      await kill('SIGKILL');
      child = spawn('redis-server', command, { cwd: home, stdio: 'ignore' });
      exited = once(child, 'close');
      // The client reconnects by itself; its answer says the server is back.
      await Promise.race([client.ping(), exited.then(() => Promise.reject(new Error(`redis-server ${name} exited at restart`)))]);
    },
    async stop() {
      client.disconnect();
      await kill('SIGTERM');
    },
  };
}

/** A real Redis Cluster of primaries only, on loopback ports, every node with the same password. */
export interface TestCluster {
  nodes: RedisNode[];
  password: string;
  /** `redis+cluster://:password@127.0.0.1:p1,127.0.0.1:p2`: two nodes given, the third discovered. */
  url: string;
  close(): Promise<void>;
}

/** Starts `masters` cluster-enabled servers, shares the 16 384 slots between them and waits until the cluster is ok. */
export async function startTestCluster(masters = 3, password = 'cluster-test-pw'): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'proweb-test-cluster-'));
  const nodes: RedisNode[] = [];
  const close = async () => {
    for (const node of nodes.splice(0)) await node.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      nodes.push(await startNode(dir, `node-${i}`, ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'], password));
    }
    const per = Math.ceil(16_384 / masters);
    for (const [i, node] of nodes.entries()) {
      await node.client.call('CLUSTER', 'ADDSLOTSRANGE', String(i * per), String(Math.min(16_383, (i + 1) * per - 1)));
    }
    for (const node of nodes.slice(1)) await nodes[0]!.client.call('CLUSTER', 'MEET', '127.0.0.1', String(node.port));
    await eventually(async () => {
      for (const node of nodes) {
        const info = String(await node.client.call('CLUSTER', 'INFO'));
        if (!/cluster_state:ok/.test(info) || !new RegExp(`cluster_known_nodes:${masters}\\b`).test(info)) return false;
      }
      return true;
    }, `a cluster of ${masters} primaries in state ok`, 30_000);
  } catch (error) {
    await close();
    throw error;
  }
  return { nodes, password, url: `redis+cluster://:${password}@${nodes.slice(0, 2).map((n) => `127.0.0.1:${n.port}`).join(',')}`, close };
}

/** A real Sentinel deployment: a primary, its replica and three sentinels (quorum 2), one password for all. */
export interface TestSentinel {
  primary: RedisNode;
  replica: RedisNode;
  sentinels: RedisNode[];
  master: string;
  password: string;
  /** `redis+sentinel://:password@127.0.0.1:s1,127.0.0.1:s2,127.0.0.1:s3/master`. */
  url: string;
  /** The port of the server the sentinels name as primary now. */
  primaryPort(): Promise<number>;
  close(): Promise<void>;
}

export async function startTestSentinel(password = 'sentinel-test-pw', master = 'proweb-main'): Promise<TestSentinel> {
  const dir = await mkdtemp(join(tmpdir(), 'proweb-test-sentinel-'));
  const started: RedisNode[] = [];
  const close = async () => {
    for (const node of started.splice(0).reverse()) await node.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const primary = await startNode(dir, 'primary', [], password);
    started.push(primary);
    const replica = await startNode(dir, 'replica', ['--replicaof', '127.0.0.1', String(primary.port)], password);
    started.push(replica);
    await eventually(async () => /master_link_status:up/.test(await replica.client.info('replication')), 'the replica in sync with the primary', 30_000);
    const sentinels: RedisNode[] = [];
    for (let i = 0; i < 3; i++) {
      const node = await startNode(dir, `sentinel-${i}`, [
        '--sentinel-conf',
        `sentinel monitor ${master} 127.0.0.1 ${primary.port} 2`,
        `sentinel auth-pass ${master} ${password}`,
        `sentinel down-after-milliseconds ${master} 1000`,
        `sentinel failover-timeout ${master} 10000`,
        `sentinel parallel-syncs ${master} 1`,
      ], password);
      sentinels.push(node);
      started.push(node);
    }
    const primaryPort = async () => Number(((await sentinels[0]!.client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', master)) as string[])[1]);
    // A failover needs the sentinels to know the replica and each other.
    await eventually(async () => {
      for (const s of sentinels) {
        const replicas = (await s.client.call('SENTINEL', 'REPLICAS', master)) as unknown[];
        const others = (await s.client.call('SENTINEL', 'SENTINELS', master)) as unknown[];
        if (replicas.length < 1 || others.length < 2) return false;
      }
      return true;
    }, 'the sentinels knowing the replica and each other', 30_000);
    const url = `redis+sentinel://:${password}@${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${master}`;
    return { primary, replica, sentinels, master, password, url, primaryPort, close };
  } catch (error) {
    await close();
    throw error;
  }
}
