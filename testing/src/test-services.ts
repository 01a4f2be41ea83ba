// What a test run needs beyond the emulators it starts itself: Postgres, Redis and (for the
// web's end-to-end tests) Chromium. Each is taken from the environment or the machine's
// default address when there is one, and otherwise started here for the run (Postgres:
// embedded PGlite; Redis: `redis-server` from PATH on a free port). What cannot be started
// stops the run at once with one message saying what to install.
import { accessSync, constants, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { startEmbeddedPostgresServer } from './embedded-postgres.js';
import { startRedisServer } from './redis-server.js';

/** Where a test run looks for a Postgres server when DATABASE_URL is unset. */
export const DEFAULT_POSTGRES_ADDRESS = '127.0.0.1:5432';
/** Where a test run looks for Redis when TEST_REDIS_URL is unset. */
export const DEFAULT_REDIS_ADDRESS = '127.0.0.1:6379';
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Whether this run's Postgres is embedded PGlite (the global setup started it): one backend for
 * every connection, so no two connections run at once, a session lock is shared by all of them
 * and pg_stat_activity shows that one backend. The few tests that watch one connection wait for
 * another's lock skip themselves there, and run wherever Postgres is a real server (CI).
 */
export const ON_EMBEDDED_POSTGRES = process.env.TEST_POSTGRES_EMBEDDED === '1';

/** The Redis the tests share: TEST_REDIS_URL (global setup sets it), or the default address. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || defaultRedisUrl();

/** The Postgres URL for a server at the default address (`TEST_POSTGRES_ADDRESS` moves it). */
export function defaultDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return `postgres://postgres@${env.TEST_POSTGRES_ADDRESS || DEFAULT_POSTGRES_ADDRESS}/test`;
}

/** The Redis URL for a server at the default address (`TEST_REDIS_ADDRESS` moves it). */
export function defaultRedisUrl(env: NodeJS.ProcessEnv = process.env): string {
  return `redis://${env.TEST_REDIS_ADDRESS || DEFAULT_REDIS_ADDRESS}`;
}

export interface TestService {
  /** The URL the tests are given. */
  url: string;
  /** Where it came from, for the run's first lines. */
  source: 'environment' | 'default address' | 'started for this run';
  stop(): Promise<void>;
}

const nothingToStop = async (): Promise<void> => undefined;

/** Whether `address` (host:port) answers as Postgres does: an SSLRequest gets `S` or `N`. */
export function postgresAnswers(address: string, timeoutMs = 1000): Promise<boolean> {
  const request = Buffer.alloc(8);
  request.writeInt32BE(8, 0);
  request.writeInt32BE(80877103, 4);
  return ask(
    address,
    request,
    (reply) => reply.length > 0,
    timeoutMs,
    (reply) => {
      const first = String.fromCharCode(reply[0]!);
      return first === 'S' || first === 'N';
    },
  );
}

/** Whether `address` (host:port) answers PING as Redis does. */
export function redisAnswers(address: string, timeoutMs = 1000): Promise<boolean> {
  return ask(
    address,
    Buffer.from('PING\r\n'),
    (reply) => reply.includes('\r\n'),
    timeoutMs,
    (reply) => reply.toString('latin1').startsWith('+PONG'),
  );
}

function ask(
  address: string,
  request: Buffer,
  complete: (reply: Buffer) => boolean,
  timeoutMs: number,
  judge: (reply: Buffer) => boolean,
): Promise<boolean> {
  const { host, port } = splitAddress(address);
  return new Promise((resolve) => {
    let reply = Buffer.alloc(0);
    const socket = connect(port, host);
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => socket.write(request));
    socket.on('data', (data: Buffer) => {
      reply = Buffer.concat([reply, data]);
      if (complete(reply)) done(judge(reply));
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(reply.length > 0 && judge(reply)));
  });
}

function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port <= 0) {
    throw new Error(`not a host:port address: ${address}`);
  }
  return { host, port };
}

/** The first executable called `name` on `path` (a PATH value), or undefined. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Postgres for the run: DATABASE_URL when set; else the server at the default address
 * (`TEST_POSTGRES_ADDRESS`, 127.0.0.1:5432) when one answers there; else embedded PGlite,
 * started now and serving every database the tests create.
 */
export async function resolveTestPostgres(
  env: NodeJS.ProcessEnv = process.env,
): Promise<TestService> {
  if (env.DATABASE_URL) {
    return { url: env.DATABASE_URL, source: 'environment', stop: nothingToStop };
  }
  if (await postgresAnswers(env.TEST_POSTGRES_ADDRESS || DEFAULT_POSTGRES_ADDRESS)) {
    return { url: defaultDatabaseUrl(env), source: 'default address', stop: nothingToStop };
  }
  const embedded = await startEmbeddedPostgresServer();
  return { url: embedded.url, source: 'started for this run', stop: embedded.stop };
}

/** The one message a run stops with when it has no Redis and cannot start one. */
export function noRedisMessage(env: NodeJS.ProcessEnv = process.env): string {
  const address = env.TEST_REDIS_ADDRESS || DEFAULT_REDIS_ADDRESS;
  return [
    `The tests need Redis: none answers at ${address} and there is no redis-server on PATH to start one.`,
    'Install it and run npm test again:',
    '  Debian/Ubuntu:  sudo apt-get install redis-server',
    '  macOS:          brew install redis',
    '  or in Docker:   docker compose -f docker/compose.yaml run -d -p 127.0.0.1:6379:6379 redis',
    'or set TEST_REDIS_URL to a Redis the tests may use.',
  ].join('\n');
}

/**
 * Redis for the run: TEST_REDIS_URL when set; else the Redis at the default address
 * (`TEST_REDIS_ADDRESS`, 127.0.0.1:6379) when it answers PING; else `redis-server` from PATH,
 * started now on a free port. Throws `noRedisMessage` when there is none.
 */
export async function resolveTestRedis(env: NodeJS.ProcessEnv = process.env): Promise<TestService> {
  if (env.TEST_REDIS_URL) {
    return { url: env.TEST_REDIS_URL, source: 'environment', stop: nothingToStop };
  }
  if (await redisAnswers(env.TEST_REDIS_ADDRESS || DEFAULT_REDIS_ADDRESS)) {
    return { url: defaultRedisUrl(env), source: 'default address', stop: nothingToStop };
  }
  if (!findOnPath('redis-server', env.PATH)) throw new TestServiceMissing(noRedisMessage(env));
  const redis = await startRedisServer();
  return { url: redis.url, source: 'started for this run', stop: redis.stop };
}

/** Why the end-to-end tests cannot run here, or undefined when Chromium is where they look. */
export function chromiumProblem(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
  if (existsSync(path)) return undefined;
  return [
    `The web's end-to-end tests need Chromium, and there is none at ${path}.`,
    'Install it, or set CHROMIUM_PATH to a Chromium or Chrome executable:',
    '  Debian/Ubuntu:  sudo apt-get install chromium',
    "  macOS:          CHROMIUM_PATH='/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'",
  ].join('\n');
}

/** A missing prerequisite: its message is the whole story, so it is shown without a stack. */
export class TestServiceMissing extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TestServiceMissing';
    this.stack = `${this.name}: ${message}`;
  }
}
