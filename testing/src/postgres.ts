// A fresh database per test file on the real Postgres server, dropped afterwards, so test
// files never see each other's rows.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { defaultDatabaseUrl } from './test-services.js';

/**
 * The server tests use: DATABASE_URL (the run's global setup sets it, to embedded PGlite when
 * the machine has no Postgres: test-services.ts), or the machine's local Postgres.
 */
export const TEST_DATABASE_URL = process.env.DATABASE_URL || defaultDatabaseUrl();

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(serverUrl = TEST_DATABASE_URL): Promise<TestDatabase> {
  const name = `cc_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
