// A redis-server of a test's own, on a free port, for faults the shared Redis must never see:
// stopped mid-call (SIGSTOP, as a stalled or overloaded server), killed and started again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, type Child } from './child.js';
import { freePort } from './free-port.js';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops the process where it is (SIGSTOP): connections stay open, nothing is answered. */
  freeze(): void;
  /** Lets a frozen server go on (SIGCONT): it runs what it was sent meanwhile. */
  thaw(): void;
  /** Kills it (SIGKILL); without persistence, everything it held is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /**
   * Persistence on: every write is in its append-only file (fsync always) in a directory of
   * its own, so a server killed and started again holds all it had confirmed.
   */
  persistent?: boolean;
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = options.persistent ? mkdtempSync(join(tmpdir(), 'redis-')) : tmpdir();
  const persistence = options.persistent
    ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir]
    : ['--appendonly', 'no'];
  let child: Child | undefined;
  const pid = (): number => {
    if (!child?.process.pid) throw new Error('redis-server is not running');
    return child.process.pid;
  };
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    freeze: () => process.kill(pid(), 'SIGSTOP'),
    thaw: () => process.kill(pid(), 'SIGCONT'),
    async kill() {
      const running = child;
      if (!running) return;
      const exited = new Promise((resolve) => running.process.once('exit', resolve));
      process.kill(pid(), 'SIGKILL');
      await exited;
      child = undefined;
    },
    async start() {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence];
      child = startChild(`redis-server:${port}`, 'redis-server', args, {
        cwd: dir,
        env: process.env,
      });
      await child.waitForLine(/Ready to accept connections/, 10_000);
    },
    async stop() {
      if (!child) return;
      try {
        process.kill(pid(), 'SIGCONT');
      } catch {
        // already gone
      }
      await child.stop();
      child = undefined;
      if (options.persistent) rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
