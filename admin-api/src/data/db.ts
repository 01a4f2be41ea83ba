// The Postgres pool. Everything that runs SQL takes a `Queryable`, so it works on the pool or
// inside a transaction's client alike.
import pg from 'pg';

export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export function createPool(url: string, max: number): pg.Pool {
  return new pg.Pool({ connectionString: url, max });
}

export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    return await withinTransaction(client, work);
  } finally {
    client.release();
  }
}

/** A transaction on a client the caller already holds (and keeps). */
export async function withinTransaction<T>(
  client: pg.PoolClient,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
