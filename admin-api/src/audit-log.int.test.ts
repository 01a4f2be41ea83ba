// The audit log: one entry per mutation in the mutation's own transaction, append-only in the
// database itself, a hash chain that shows exactly where it was tampered with, and the
// filtered, cursor-paged reading API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuditEntry,
  AuditPage,
  AuditVerification,
  CreatedApiKey,
} from '@colonycraft/protocol';
import { inTransaction } from './data/db.js';
import { startAdminFixture, type AdminFixture } from './dev/admin-fixture.js';
import { entryHash } from './domain/audit-chain.js';
import { appendAudit } from './domain/audit.js';
import { createLogger, start } from './server.js';

let f: AdminFixture;

beforeAll(async () => {
  f = await startAdminFixture();
  // A little history: every kind of mutation, by several actors.
  const created = await f.call<CreatedApiKey>('pat', 'POST', '/api-keys', {
    name: 'a',
    scopes: ['*'],
  });
  await f.call('pat', 'POST', `/api-keys/${created.body.summary.id}/rotate`, { graceSeconds: 5 });
  const other = await f.call<CreatedApiKey>('sam', 'POST', '/api-keys', {
    name: 'b',
    scopes: ['*'],
  });
  await f.call('boss', 'DELETE', `/api-keys/${other.body.summary.id}`);
  await f.call('boss', 'PUT', `/users/${f.uid.sam}/role`, { role: 'auditor' });
  await f.call('boss', 'PUT', `/users/${f.uid.sam}/role`, { role: 'member' });
}, 180_000);

afterAll(async () => {
  await f?.stop();
});

const system = { actor: 'system:test', ip: null, requestId: null };

async function allEntries(): Promise<AuditEntry[]> {
  const res = await f.call<AuditPage>('audra', 'GET', '/audit?limit=500');
  return res.body.entries;
}

async function verify(): Promise<AuditVerification> {
  return (await f.call<AuditVerification>('audra', 'GET', '/audit/verify')).body;
}

/** Runs SQL with the append-only trigger off: what only a superuser could do. */
async function asSuperuser(sql: string, params: unknown[]): Promise<void> {
  const client = await f.sql.connect();
  try {
    await client.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await client.query(sql, params);
  } finally {
    await client.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    client.release();
  }
}

describe('appending', () => {
  it('when every kind of mutation ran, then each left one entry with before and after', async () => {
    const entries = (await allEntries()).reverse();
    expect(entries.map((e) => [e.action, e.before !== null, e.after !== null])).toEqual([
      ['api_key.create', false, true],
      ['api_key.rotate', true, true],
      ['api_key.create', false, true],
      ['api_key.revoke', true, true],
      ['user.role.set', true, true],
      ['user.role.set', true, true],
    ]);
    expect(entries.slice(-2).map((e) => [e.before, e.after])).toEqual([
      [{ role: 'member' }, { role: 'auditor' }],
      [{ role: 'auditor' }, { role: 'member' }],
    ]);
  });

  it('when other features append in their own transactions at once, then the chain stays one line', async () => {
    const before = (await verify()).entries;
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        inTransaction(f.sql, (tx) =>
          appendAudit(tx, system, {
            action: 'provider_key.rotate',
            target: `provider_key:p${i}`,
            before: { version: i },
            after: { version: i + 1 },
          }),
        ),
      ),
    );
    const report = await verify();
    expect(report).toMatchObject({ ok: true, entries: before + 25 });
    const ids = (await allEntries()).map((e) => e.id);
    expect(ids).toEqual(Array.from({ length: before + 25 }, (_, i) => before + 25 - i));
  });

  it('when an entry would carry a secret, then it is refused and its transaction rolls back', async () => {
    const count = (await verify()).entries;
    for (const after of [{ apiKey: 'anything' }, { note: `cc_${'a'.repeat(51)}` }]) {
      await expect(
        inTransaction(f.sql, (tx) =>
          appendAudit(tx, system, { action: 'x.y', target: 'x:1', before: null, after }),
        ),
      ).rejects.toThrow(/audit entry refused/);
    }
    expect((await verify()).entries).toBe(count);
  });
});

describe('append-only', () => {
  it('when anyone updates, deletes or truncates the log through SQL, then the database refuses', async () => {
    for (const sql of [
      `UPDATE audit_log SET actor = 'me' WHERE seq = 1`,
      'DELETE FROM audit_log WHERE seq = 1',
      'TRUNCATE audit_log',
    ]) {
      await expect(f.sql.query(sql)).rejects.toThrow(/append-only/);
    }
    expect((await verify()).ok).toBe(true);
  });
});

describe('GET /audit/verify', () => {
  it('when the log is untouched, then it verifies and reports the head', async () => {
    const entries = await allEntries();
    expect(await verify()).toEqual({
      ok: true,
      entries: entries.length,
      headHash: entries[0]!.hash,
    });
  });

  it('when a field of one entry is changed behind the trigger’s back, then verify names that entry', async () => {
    const { rows } = await f.sql.query(`SELECT after FROM audit_log WHERE seq = 4`);
    await asSuperuser(`UPDATE audit_log SET after = $1 WHERE seq = 4`, [
      JSON.stringify({ ...rows[0].after, tier: 'unlimited' }),
    ]);
    expect(await verify()).toMatchObject({ ok: false, firstBrokenAt: 4 });
    await asSuperuser(`UPDATE audit_log SET after = $1 WHERE seq = 4`, [
      JSON.stringify(rows[0].after),
    ]);
    expect((await verify()).ok).toBe(true);
  });

  it('when an entry is changed and its hash recomputed, then the next entry’s link breaks', async () => {
    const [entry] = (await allEntries()).filter((e) => e.id === 3);
    const forged = { ...entry!, actor: 'someone-else' };
    await asSuperuser('UPDATE audit_log SET actor = $1, hash = $2 WHERE seq = 3', [
      forged.actor,
      entryHash(forged),
    ]);
    expect(await verify()).toMatchObject({ ok: false, firstBrokenAt: 4 });
    await asSuperuser('UPDATE audit_log SET actor = $1, hash = $2 WHERE seq = 3', [
      entry!.actor,
      entry!.hash,
    ]);
    expect((await verify()).ok).toBe(true);
  });

  it('when an entry is deleted, then verify names the entry after the gap', async () => {
    const { rows } = await f.sql.query('SELECT * FROM audit_log WHERE seq = 2');
    await asSuperuser('DELETE FROM audit_log WHERE seq = 2', []);
    expect(await verify()).toMatchObject({ ok: false, firstBrokenAt: 3 });
    const r = rows[0];
    await f.sql.query(
      `INSERT INTO audit_log (seq, at, actor, action, target, before, after, ip, request_id, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        r.seq,
        r.at,
        r.actor,
        r.action,
        r.target,
        JSON.stringify(r.before),
        JSON.stringify(r.after),
        r.ip,
        r.request_id,
        r.prev_hash,
        r.hash,
      ],
    );
    expect((await verify()).ok).toBe(true);
  });
});

describe('GET /audit', () => {
  it('when a member asks, then the answer is 403; admins and auditors may read', async () => {
    expect((await f.call('pat', 'GET', '/audit')).status).toBe(403);
    expect((await f.call('pat', 'GET', '/audit/verify')).status).toBe(403);
    expect((await f.call('boss', 'GET', '/audit')).status).toBe(200);
  });

  it('when filtered by actor, action or target, then only matching entries come back', async () => {
    const all = await allEntries();
    const cases: [string, (e: AuditEntry) => boolean][] = [
      [`actor=${f.uid.boss}`, (e) => e.actor === f.uid.boss],
      ['action=api_key.create', (e) => e.action === 'api_key.create'],
      [`target=user:${f.uid.sam}`, (e) => e.target === `user:${f.uid.sam}`],
      [
        `actor=${f.uid.boss}&action=user.role.set`,
        (e) => e.actor === f.uid.boss && e.action === 'user.role.set',
      ],
    ];
    for (const [query, match] of cases) {
      const res = await f.call<AuditPage>('audra', 'GET', `/audit?${query}`);
      const expected = all.filter(match);
      expect(expected.length).toBeGreaterThan(0);
      expect(res.body.entries.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    }
  });

  it('when filtered by time, then from is inclusive and to exclusive, in ms or ISO form', async () => {
    const all = await allEntries();
    const from = all.at(-3)!.at;
    const to = all[2]!.at;
    const expected = all.filter((e) => e.at >= from && e.at < to).map((e) => e.id);
    const ms = await f.call<AuditPage>('audra', 'GET', `/audit?from=${from}&to=${to}&limit=500`);
    expect(ms.body.entries.map((e) => e.id)).toEqual(expected);
    const iso = await f.call<AuditPage>(
      'audra',
      'GET',
      `/audit?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&limit=500`,
    );
    expect(iso.body.entries.map((e) => e.id)).toEqual(expected);
    expect((await f.call('audra', 'GET', '/audit?from=yesterday')).status).toBe(400);
  });

  it('when paged with the cursor, then every entry comes once, newest first', async () => {
    const all = await allEntries();
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const suffix: string = cursor ? `&cursor=${cursor}` : '';
      const res = await f.call<AuditPage>('audra', 'GET', `/audit?limit=4${suffix}`);
      expect(res.body.entries.length).toBeLessThanOrEqual(4);
      seen.push(...res.body.entries.map((e) => e.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((e) => e.id));
    expect((await f.call('audra', 'GET', '/audit?cursor=garbage')).status).toBe(400);
  });

  it('when a filter holds a NUL, then 400 names it', async () => {
    for (const field of ['actor', 'action', 'target']) {
      const res = await f.call<{ error: { message: string } }>(
        'audra',
        'GET',
        `/audit?${field}=a%00b`,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(new RegExp(`^Invalid query: ${field}: `));
    }
  });

  /** Creates a key through `url` with the caller's own X-Forwarded-For; its audited ip. */
  async function auditedIpWith(url: string, forwardedFor: string): Promise<string | null> {
    const res = await fetch(`${url}/api-keys`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await f.token('pat')}`,
        'content-type': 'application/json',
        'x-forwarded-for': forwardedFor,
      },
      body: JSON.stringify({ name: 'forwarded', scopes: ['*'] }),
    });
    expect(res.status).toBe(201);
    const { summary } = (await res.json()) as CreatedApiKey;
    const [entry] = (await allEntries()).filter((e) => e.target === `api_key:${summary.id}`);
    expect(entry?.action).toBe('api_key.create');
    return entry!.ip;
  }

  it('when a caller sends its own X-Forwarded-For and no proxy is configured, then the audited ip is the connection’s', async () => {
    // The default (TRUST_PROXY_HOPS=0): a caller connecting directly, as to a local stack or a
    // published container port, cannot choose the address the audit log records.
    expect(f.config.trustProxyHops).toBe(0);
    const ip = await auditedIpWith(f.url, '198.51.100.66, 203.0.113.7');
    expect(ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it('when one proxy hop is trusted (Cloud Run), then the audited ip is the entry the front end appended', async () => {
    // The caller wrote 198.51.100.66; the front end appended the address it saw, 203.0.113.7.
    const behindFrontEnd = await start(
      { ...f.config, trustProxyHops: 1, seedUsers: undefined },
      createLogger('silent'),
    );
    try {
      expect(await auditedIpWith(behindFrontEnd.url, '198.51.100.66, 203.0.113.7')).toBe(
        '203.0.113.7',
      );
    } finally {
      await behindFrontEnd.stop();
    }
  });

  it('when entries are read, then each carries who, what, where from and when', async () => {
    const [revoke] = (await allEntries()).filter((e) => e.action === 'api_key.revoke');
    expect(revoke).toMatchObject({
      actor: f.uid.boss,
      target: expect.stringMatching(/^api_key:/),
      before: expect.objectContaining({ revokedAt: null }),
      after: expect.objectContaining({ revokedAt: expect.any(Number) }),
      ip: expect.any(String),
      requestId: expect.any(String),
      at: expect.any(Number),
    });
  });
});
