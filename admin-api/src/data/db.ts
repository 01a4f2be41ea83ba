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

/** Registers a step that puts back what a transaction changed outside Postgres. */
export type Undo = (step: () => Promise<unknown>) => void;

/**
 * `inTransaction` for work that also changes other services (Firebase Auth, Firestore): each
 * such change registers its undo step first, and if the transaction fails the steps run, newest
 * first, each once. They run before ROLLBACK, while the transaction's row locks are still held,
 * so a change queued on those locks reads the restored state and not ours; only a failed COMMIT
 * is undone after the locks are gone. A step that fails is ignored: the original error is the
 * one to report.
 */
export async function inTransactionWithUndo<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient, undo: Undo) => Promise<T>,
): Promise<T> {
  const steps: (() => Promise<unknown>)[] = [];
  const undoAll = async () => {
    for (let step = steps.pop(); step; step = steps.pop()) await step().catch(() => undefined);
  };
  try {
    return await inTransaction(pool, async (client) => {
      try {
        return await work(client, (step) => void steps.push(step));
      } catch (error) {
        await undoAll();
        throw error;
      }
    });
  } catch (error) {
    await undoAll();
    throw error;
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
