// API keys over real HTTP against Postgres, the Auth emulator and the Firestore emulator:
// creation, listing and reading, who may do which, and that the key is shown once only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_PATTERN, type ApiKeyPage, type ApiKeySummary } from '@colonycraft/protocol';
import { startAdminFixture, type AdminFixture } from './dev/admin-fixture.js';
import { keySession, sha256, type KeySession } from './dev/key-session.js';
import { keyMatchesHash } from './domain/api-key-format.js';

let f: AdminFixture;
let s: KeySession;

beforeAll(async () => {
  f = await startAdminFixture();
  s = keySession(f);
}, 180_000);

afterAll(async () => {
  await f?.stop();
});

describe('POST /api-keys', () => {
  it('when a member creates a key, then it is shown once in the documented format and only its hash is stored', async () => {
    const { key, summary } = await s.create('pat', { name: 'laptop', scopes: ['local/echo'] });
    expect(key).toMatch(/^cc_[0-9A-Za-z]{51}$/);
    expect(key).toMatch(API_KEY_PATTERN);
    expect(summary).toMatchObject({
      prefix: key.slice(0, 11),
      owner: f.uid.pat,
      name: 'laptop',
      scopes: ['local/echo'],
      tier: 'standard',
      status: 'active',
      revokedAt: null,
      rotatedFrom: null,
    });
    const { rows } = await f.sql.query<{ key_hash: string; row: string }>(
      'SELECT key_hash, row_to_json(k)::text AS row FROM api_keys k WHERE id = $1',
      [summary.id],
    );
    expect(rows[0]!.key_hash).toBe(sha256(key));
    expect(keyMatchesHash(key, rows[0]!.key_hash)).toBe(true);
    expect(rows[0]!.row).not.toContain(key);
    expect(await s.projection(key)).toEqual({
      keyId: summary.id,
      owner: f.uid.pat,
      scopes: ['local/echo'],
      tier: 'standard',
      expiresAt: null,
      revokedAt: null,
      notAfter: null,
      ownerDisabled: false,
      ownerTier: 'standard',
    });
  });

  it('when a key is created, then the audit log records it with its facts but not the key or its hash', async () => {
    const { key, summary } = await s.create('pat', { tier: 'free' });
    const [entry, ...more] = await s.auditFor(summary.id);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      actor: f.uid.pat,
      action: 'api_key.create',
      before: null,
      after: { id: summary.id, owner: f.uid.pat, tier: 'free', prefix: summary.prefix },
    });
    expect(entry!.request_id).toEqual(expect.any(String));
    expect(entry!.ip).toEqual(expect.any(String));
    expect(JSON.stringify(entry)).not.toContain(key);
    expect(JSON.stringify(entry)).not.toContain(sha256(key));
  });

  it('when a member names another owner, then the answer is 403 and no key is made', async () => {
    const before = await f.sql.query('SELECT count(*)::int AS n FROM api_keys');
    const res = await s.call('pat', 'POST', '/api-keys', {
      name: 'sneaky',
      scopes: ['*'],
      owner: f.uid.sam,
    });
    expect(res.status).toBe(403);
    const after = await f.sql.query('SELECT count(*)::int AS n FROM api_keys');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('when a member asks for the unlimited tier, then the answer is 403', async () => {
    const res = await s.call('pat', 'POST', '/api-keys', {
      name: 'x',
      scopes: ['*'],
      tier: 'unlimited',
    });
    expect(res.status).toBe(403);
  });

  it('when an admin creates an unlimited key for a member, then the key is the member’s', async () => {
    const { summary } = await s.create('boss', { owner: f.uid.sam, tier: 'unlimited' });
    expect(summary).toMatchObject({ owner: f.uid.sam, tier: 'unlimited' });
    const [entry] = await s.auditFor(summary.id);
    expect(entry!.actor).toBe(f.uid.boss);
  });

  it('when an admin names an owner who does not exist, then the answer is 400', async () => {
    const res = await s.call<{ error: { message: string } }>('boss', 'POST', '/api-keys', {
      name: 'x',
      scopes: ['*'],
      owner: 'nobody-at-all',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Invalid body: owner: no such user');
  });

  it('when an auditor creates a key, then the answer is 403', async () => {
    expect((await s.call('audra', 'POST', '/api-keys', { name: 'x', scopes: ['*'] })).status).toBe(
      403,
    );
  });

  it('when the body is wrong, then the answer is 400 naming each field', async () => {
    const res = await s.call<{ error: { message: string } }>('pat', 'POST', '/api-keys', {
      name: '',
      scopes: ['*', 'local/echo'],
      key: 'cc_mine',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^Invalid body: /);
    expect(res.body.error.message).toContain('name:');
    expect(res.body.error.message).toContain('scopes:');
    expect(res.body.error.message).toMatch(/key/);
  });

  it('when the name looks like an API key or holds a NUL or control character, then 400 names it', async () => {
    const keyLike = `cc_${'A1b2C3d4E5'.repeat(5)}z`;
    for (const name of [keyLike, `laptop ${keyLike} copy`, 'lap\u0000top', 'lap\ntop']) {
      const res = await s.call<{ error: { message: string } }>('pat', 'POST', '/api-keys', {
        name,
        scopes: ['*'],
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/^Invalid body: name: /);
    }
  });

  it('when the name holds a format character, then 400 names the field and the code point, and no key is made', async () => {
    const before = await f.sql.query('SELECT count(*)::int AS n FROM api_keys');
    // Shown in a listing, "invoice\u202Efdp.exe" reads as "invoiceexe.pdf".
    for (const [name, named] of [
      ['invoice\u202Efdp.exe', 'U+202E (a format character)'],
      ['lap\u200Btop', 'U+200B (a format character)'],
      ['lap\u2028top', 'U+2028 (a line separator)'],
      ['laptop\u{E0041}', 'U+E0041 (a tag character)'],
    ]) {
      const res = await s.call<{ error: { message: string } }>('pat', 'POST', '/api-keys', {
        name,
        scopes: ['*'],
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(`Invalid body: name: ${named} is not allowed`);
    }
    const after = await f.sql.query('SELECT count(*)::int AS n FROM api_keys');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('when a scope holds a NUL or an API key, or the owner a NUL, then 400 names it', async () => {
    for (const scope of ['local/echo\u0000', `openai/cc_${'a'.repeat(51)}`]) {
      const res = await s.call<{ error: { message: string } }>('pat', 'POST', '/api-keys', {
        name: 'x',
        scopes: [scope],
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/^Invalid body: scopes\.0: /);
    }
    const owner = await s.call<{ error: { message: string } }>('boss', 'POST', '/api-keys', {
      name: 'x',
      scopes: ['*'],
      owner: 'pat\u0000',
    });
    expect(owner.status).toBe(400);
    expect(owner.body.error.message).toMatch(/owner/);
  });

  it('when a key names the conversations scopes, then they are kept beside its models and reach the projection', async () => {
    for (const scopes of [
      ['*', 'conversations'],
      ['local/echo', 'conversations:write'],
    ]) {
      const { key, summary } = await s.create('pat', { scopes });
      expect(summary.scopes).toEqual(scopes);
      expect((await s.projection(key))?.scopes).toEqual(scopes);
    }
    // `*` is alone among the models, not among the conversation scopes.
    const mixed = await s.call<{ error: { message: string } }>('pat', 'POST', '/api-keys', {
      name: 'x',
      scopes: ['*', 'local/echo', 'conversations'],
    });
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.message).toBe(
      'Invalid body: scopes: use "*" alone, not beside model ids',
    );
  });

  it("when an admin makes or rotates someone else's key with a conversations scope, then 403 and no key is made, since its holder would read that person's conversations", async () => {
    const before = await f.sql.query('SELECT count(*)::int AS n FROM api_keys');
    for (const scope of ['conversations', 'conversations:write']) {
      const res = await s.call<{ error: { message: string } }>('boss', 'POST', '/api-keys', {
        name: 'x',
        scopes: ['*', scope],
        owner: f.uid.sam,
      });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/^scopes: a key with a conversations scope/);
    }
    const after = await f.sql.query('SELECT count(*)::int AS n FROM api_keys');
    expect(after.rows[0].n).toBe(before.rows[0].n);

    const own = await s.create('sam', { scopes: ['*', 'conversations'] });
    const rotated = await s.rotate('boss', own.summary.id, 0);
    expect(rotated.status).toBe(403);
    expect((await s.projection(own.key))?.notAfter).toBeNull();
    // Its owner may rotate it.
    expect((await s.rotate('sam', own.summary.id, 60)).status).toBe(201);
  });

  it('when an expiry is given, then it must lie ahead and reaches the projection', async () => {
    const past = await s.call('pat', 'POST', '/api-keys', {
      name: 'x',
      scopes: ['*'],
      expiresAt: Date.now() - 1000,
    });
    expect(past.status).toBe(400);
    const expiresAt = Date.now() + 86_400_000;
    const { key, summary } = await s.create('pat', { expiresAt });
    expect(summary.expiresAt).toBe(expiresAt);
    expect((await s.projection(key))?.expiresAt).toBe(expiresAt);
  });
});

describe('GET /api-keys and GET /api-keys/:id', () => {
  it('when a member lists keys, then they see only their own', async () => {
    await s.create('sam', { name: 'sam-1' });
    const res = await s.call<ApiKeyPage>('pat', 'GET', '/api-keys?limit=200');
    expect(res.status).toBe(200);
    expect(res.body.keys.length).toBeGreaterThan(0);
    expect(res.body.keys.every((k) => k.owner === f.uid.pat)).toBe(true);
  });

  it('when a member asks for another owner’s keys, then the answer is 403', async () => {
    expect((await s.call('pat', 'GET', `/api-keys?owner=${f.uid.sam}`)).status).toBe(403);
  });

  it('when an admin or an auditor lists keys, then they see everyone’s, or one owner’s', async () => {
    for (const who of ['boss', 'audra'] as const) {
      const all = await s.call<ApiKeyPage>(who, 'GET', '/api-keys?limit=200');
      expect(new Set(all.body.keys.map((k) => k.owner))).toEqual(new Set([f.uid.pat, f.uid.sam]));
      const sams = await s.call<ApiKeyPage>(who, 'GET', `/api-keys?owner=${f.uid.sam}&limit=200`);
      expect(sams.body.keys.length).toBeGreaterThan(0);
      expect(sams.body.keys.every((k) => k.owner === f.uid.sam)).toBe(true);
    }
  });

  it('when keys are listed a page at a time, then the cursor walks them newest first without repeats', async () => {
    for (let i = 0; i < 5; i++) await s.create('ada', { name: `paged-${i}` });
    const seen: ApiKeySummary[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const res = await s.call<ApiKeyPage>(
        'ada',
        'GET',
        `/api-keys?owner=${f.uid.ada}&limit=2${query}`,
      );
      seen.push(...res.body.keys);
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.map((k) => k.name)).toEqual([
      'paged-4',
      'paged-3',
      'paged-2',
      'paged-1',
      'paged-0',
    ]);
  });

  it('when the cursor is not one of ours, then the answer is 400', async () => {
    expect((await s.call('pat', 'GET', '/api-keys?cursor=bm9wZQ')).status).toBe(400);
  });

  it('when the cursor holds a time no date can have, then 400 names the cursor', async () => {
    const cursor = Buffer.from(
      JSON.stringify({ c: 9_000_000_000_000_000, i: '2f1b6a52-5a8e-4c1e-9a55-0d3c1f3b2e11' }),
    ).toString('base64url');
    const res = await s.call<{ error: { message: string } }>(
      'pat',
      'GET',
      `/api-keys?cursor=${cursor}`,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^Invalid query: cursor: /);
  });

  it('when the owner filter holds a NUL, then 400 names it', async () => {
    const res = await s.call<{ error: { message: string } }>(
      'boss',
      'GET',
      '/api-keys?owner=a%00b',
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^Invalid query: owner: /);
  });

  it('when a member reads another member’s key, then the answer is 404 and shows nothing of it', async () => {
    const { summary } = await s.create('sam', { name: 'sam-secret-name' });
    const res = await s.call('pat', 'GET', `/api-keys/${summary.id}`);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('sam-secret-name');
    expect(res.text).not.toContain(summary.prefix);
    expect(res.text).not.toContain(f.uid.sam);
    expect((await s.call('sam', 'GET', `/api-keys/${summary.id}`)).status).toBe(200);
    expect((await s.call('audra', 'GET', `/api-keys/${summary.id}`)).status).toBe(200);
  });

  it('when the id is not a uuid, then the answer is 400', async () => {
    expect((await s.call('pat', 'GET', '/api-keys/not-a-uuid')).status).toBe(400);
  });
});

describe('the key itself', () => {
  it('when keys were issued, then none appears in any other response, log line or audit entry', async () => {
    await s.expectNoLeaks();
  });
});
