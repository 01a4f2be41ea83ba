// Where a test run finds Redis and Chromium (test-services.ts): the default address moved to a
// port of the test's own, so the shared Redis on 6379 is never touched.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { freePort } from './free-port.js';
import {
  TestServiceMissing,
  chromiumProblem,
  redisAnswers,
  resolveTestRedis,
  type TestService,
} from './test-services.js';

async function listen(answer: (data: Buffer) => string): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) =>
    socket.on('data', (data: Buffer) => socket.write(answer(data))),
  );
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port };
}

describe('where a test run finds Redis', () => {
  const started: TestService[] = [];
  afterAll(async () => {
    for (const service of started) await service.stop();
  });

  it('when TEST_REDIS_URL is set, then it is used as it is', async () => {
    expect(await resolveTestRedis({ TEST_REDIS_URL: 'redis://r.test:1' })).toMatchObject({
      url: 'redis://r.test:1',
      source: 'environment',
    });
  });

  it('when a Redis answers PING at the default address, then the tests use it', async () => {
    const { server, port } = await listen(() => '+PONG\r\n');
    try {
      expect(await resolveTestRedis({ TEST_REDIS_ADDRESS: `127.0.0.1:${port}` })).toMatchObject({
        url: `redis://127.0.0.1:${port}`,
        source: 'default address',
      });
    } finally {
      server.close();
    }
  });

  it('when nothing Redis answers there, then redis-server from PATH is started on a free port', async () => {
    // Something that is not Redis at the address counts as no Redis.
    const { server, port } = await listen(() => 'HTTP/1.1 400 Bad Request\r\n\r\n');
    try {
      const redis = await resolveTestRedis({
        TEST_REDIS_ADDRESS: `127.0.0.1:${port}`,
        PATH: process.env.PATH,
      });
      started.push(redis);
      expect(redis.source).toBe('started for this run');
      expect(redis.url).not.toBe(`redis://127.0.0.1:${port}`);
      expect(await redisAnswers(new URL(redis.url).host)).toBe(true);
    } finally {
      server.close();
    }
  });

  it('when there is no redis-server on PATH either, then one message says what to install', async () => {
    const refusal = resolveTestRedis({
      TEST_REDIS_ADDRESS: `127.0.0.1:${await freePort()}`,
      PATH: dirname(process.execPath),
    });
    await expect(refusal).rejects.toBeInstanceOf(TestServiceMissing);
    const message = await refusal.catch((error: Error) => error.message);
    expect(message).toMatch(/apt-get install redis-server/);
    expect(message).toMatch(/brew install redis/);
    expect(message).toMatch(/docker compose -f docker\/compose\.yaml run/);
    expect(message).toMatch(/TEST_REDIS_URL/);
  });
});

describe('where the end-to-end tests find Chromium', () => {
  it('when there is none at CHROMIUM_PATH, then the message names the variable and the package', () => {
    const message = chromiumProblem({ CHROMIUM_PATH: '/nowhere/chromium' });
    expect(message).toMatch(/none at \/nowhere\/chromium/);
    expect(message).toMatch(/CHROMIUM_PATH/);
    expect(message).toMatch(/apt-get install chromium/);
  });

  it('when CHROMIUM_PATH names a file, then there is no problem', () => {
    const browser = join(mkdtempSync(join(tmpdir(), 'chromium-')), 'chromium');
    writeFileSync(browser, '');
    expect(chromiumProblem({ CHROMIUM_PATH: browser })).toBeUndefined();
  });
});
