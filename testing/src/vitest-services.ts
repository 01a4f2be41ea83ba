// Vitest globalSetup of the workspaces whose tests use Postgres and Redis (admin-api,
// functions): decides once per run where they are (test-services.ts) and hands them to the
// tests in the variables they read, DATABASE_URL and TEST_REDIS_URL. Vitest builds the test
// workers' environment after global setup, so what is set here reaches every test file.
// Several projects name this file and each loads it anew, so the decision is kept on
// globalThis: the first project to set up starts what is missing, the rest reuse it.
import {
  TestServiceMissing,
  resolveTestPostgres,
  resolveTestRedis,
  type TestService,
} from './test-services.js';

const KEY = Symbol.for('colonycraft.test-services');
type Shared = { [KEY]?: Promise<TestService[]> };

export default async function setup(): Promise<(() => Promise<void>) | void> {
  const shared = globalThis as Shared;
  if (shared[KEY]) {
    await shared[KEY];
    return;
  }
  const decided = decide();
  shared[KEY] = decided;
  let services: TestService[];
  try {
    services = await decided;
  } catch (error) {
    if (error instanceof TestServiceMissing) await stopRunWith(error.message);
    throw error;
  }
  return async () => {
    for (const service of [...services].reverse()) await service.stop().catch(() => undefined);
  };
}

/**
 * Ends the run at once with `message` alone on stderr (a thrown error would come wrapped in
 * Vitest's "Unhandled Error" and "No test files found"), after stopping what this run started.
 */
export async function stopRunWith(message: string): Promise<never> {
  const services = await (globalThis as Shared)[KEY]?.catch(() => []);
  for (const service of services ?? []) await service.stop().catch(() => undefined);
  process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
}

async function decide(): Promise<TestService[]> {
  // Redis first: it is the one that can stop the run, before Postgres is started for nothing.
  const redis = await resolveTestRedis();
  process.env.TEST_REDIS_URL = redis.url;
  let postgres: TestService;
  try {
    postgres = await resolveTestPostgres();
  } catch (error) {
    await redis.stop();
    throw error;
  }
  process.env.DATABASE_URL = postgres.url;
  if (postgres.source === 'started for this run') process.env.TEST_POSTGRES_EMBEDDED = '1';
  if (redis.source === 'started for this run') {
    console.log(`Redis: redis-server started for this run at ${redis.url}`);
  }
  if (postgres.source === 'started for this run') {
    console.log(`Postgres: embedded PGlite started for this run at ${postgres.url}`);
  }
  return [redis, postgres];
}
