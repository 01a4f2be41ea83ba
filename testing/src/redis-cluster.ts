// A Redis Cluster of a test's own: three redis-server primaries in cluster mode on free ports,
// no replicas, their 16384 slots split by `redis-cli --cluster create`, as Memorystore's
// cluster mode shards one keyspace. Tests run the limiter against it to show every script
// keeps its keys in one slot.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startChild, type Child } from './child.js';
import { freePort } from './free-port.js';

const run = promisify(execFile);

export interface RedisCluster {
  /** `host:port` of each primary: the value for REDIS_CLUSTER_NODES, comma-separated. */
  readonly nodes: string[];
  stop(): Promise<void>;
}

export async function startRedisCluster(primaries = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const ports = await Promise.all(Array.from({ length: primaries }, () => freePort()));
  const children: Child[] = [];
  const stop = async () => {
    await Promise.all(children.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      const child = startChild(
        `redis-cluster:${port}`,
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        { cwd: dir, env: process.env },
      );
      children.push(child);
      await child.waitForLine(/Ready to accept connections/, 10_000);
    }
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-yes'], {
      timeout: 30_000,
    });
    // The slots are assigned at once; the nodes agree on the cluster a moment later.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const infos = await Promise.all(
        ports.map((port) =>
          run('redis-cli', ['-p', String(port), 'cluster', 'info'], { timeout: 5_000 }),
        ),
      );
      if (infos.every(({ stdout }) => stdout.includes('cluster_state:ok'))) break;
      if (Date.now() > deadline) throw new Error('the Redis cluster did not reach state ok');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { nodes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
