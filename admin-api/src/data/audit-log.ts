// Repository for the audit log. Parameterized SQL only. Appends take a transaction-scoped
// advisory lock first, so entries are numbered and chained one at a time even when several
// mutations commit at once; the lock is released when the appending transaction ends.
import type { AuditEntry } from '@colonycraft/protocol';
import type { Queryable } from './db.js';

const CHAIN_LOCK_ID = 7_231_002;
const COLUMNS = `seq, at, actor, action, target, before, after, ip, request_id, prev_hash, hash`;

interface Row {
  seq: string;
  at: Date;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  ip: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

function fromRow(r: Row): AuditEntry {
  return {
    id: Number(r.seq),
    at: r.at.getTime(),
    actor: r.actor,
    action: r.action,
    target: r.target,
    before: r.before,
    after: r.after,
    ip: r.ip,
    requestId: r.request_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export interface ChainHead {
  /** The newest entry's seq and hash, or 0 and null for an empty log. */
  seq: number;
  hash: string | null;
  /** Postgres's clock, to the millisecond, read after the lock was taken. */
  now: number;
}

/** Takes the chain lock for the rest of the transaction and reads the head. */
export async function lockChainHead(tx: Queryable): Promise<ChainHead> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK_ID]);
  const { rows } = await tx.query<{ seq: string | null; hash: string | null; now: Date }>(
    `SELECT (SELECT seq FROM audit_log ORDER BY seq DESC LIMIT 1) AS seq,
            (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1) AS hash,
            date_trunc('milliseconds', clock_timestamp()) AS now`,
  );
  const row = rows[0]!;
  return { seq: row.seq === null ? 0 : Number(row.seq), hash: row.hash, now: row.now.getTime() };
}

export async function insertAuditEntry(tx: Queryable, e: AuditEntry): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      e.id,
      new Date(e.at),
      e.actor,
      e.action,
      e.target,
      // jsonb parameters go as JSON text: pg would turn a JS array into a Postgres array.
      e.before === null ? null : JSON.stringify(e.before),
      e.after === null ? null : JSON.stringify(e.after),
      e.ip,
      e.requestId,
      e.prevHash,
      e.hash,
    ],
  );
}

export interface AuditFilters {
  actor?: string | undefined;
  action?: string | undefined;
  target?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

/** Newest first, entries older than `beforeSeq` when given. */
export async function queryAudit(
  db: Queryable,
  f: AuditFilters,
  limit: number,
  beforeSeq?: number,
): Promise<AuditEntry[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM audit_log
     WHERE ($1::text IS NULL OR actor = $1)
       AND ($2::text IS NULL OR action = $2)
       AND ($3::text IS NULL OR target = $3)
       AND ($4::timestamptz IS NULL OR at >= $4)
       AND ($5::timestamptz IS NULL OR at < $5)
       AND ($6::bigint IS NULL OR seq < $6)
     ORDER BY seq DESC LIMIT $7`,
    [
      f.actor ?? null,
      f.action ?? null,
      f.target ?? null,
      f.from === undefined ? null : new Date(f.from),
      f.to === undefined ? null : new Date(f.to),
      beforeSeq ?? null,
      limit,
    ],
  );
  return rows.map(fromRow);
}

/** Every entry, oldest first, a page at a time: for verification. */
export async function* walkAudit(db: Queryable, pageSize = 1000): AsyncGenerator<AuditEntry> {
  let after = 0;
  for (;;) {
    const { rows }: { rows: Row[] } = await db.query<Row>(
      `SELECT ${COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [after, pageSize],
    );
    for (const row of rows) yield fromRow(row);
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}
