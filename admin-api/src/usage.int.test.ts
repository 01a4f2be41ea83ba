// Usage reports over real HTTP, read from the Firestore emulator where the test books calls the
// way the functions' ledger does (functions/src/usage/usage-ledger.ts): a call document, and the
// day and per-model aggregates grown by increments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldValue } from 'firebase-admin/firestore';
import {
  USAGE_DAY_SHARDS,
  usageShardId,
  type CreatedApiKey,
  type UsageReport,
} from '@colonycraft/protocol';
import { startAdminFixture, type AdminFixture } from './dev/admin-fixture.js';

let f: AdminFixture;
let usageDown = false;

beforeAll(async () => {
  f = await startAdminFixture({
    wrapUsage: (real) => ({
      days: (principal, days) =>
        usageDown ? Promise.reject(new Error('Firestore is down')) : real.days(principal, days),
    }),
  });
}, 180_000);

afterAll(async () => {
  await f?.stop();
});

const DAY_MS = 24 * 60 * 60 * 1000;
/** The UTC day `n` days before today. */
const ago = (n: number) => new Date(Date.now() - n * DAY_MS).toISOString().slice(0, 10);
const modelKey = (id: string) =>
  id.replace(/[%/.]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

let booked = 0;

/** One call, booked as `recordUsage` books it. */
async function book(
  principal: string,
  principalType: 'user' | 'apiKey',
  day: string,
  model: string,
  n: { inputTokens: number; outputTokens: number; costUsd: number },
): Promise<void> {
  const root = f.firestore.collection('usage').doc(principal);
  const dayRef = root.collection('days').doc(day);
  const totals = {
    calls: FieldValue.increment(1),
    inputTokens: FieldValue.increment(n.inputTokens),
    outputTokens: FieldValue.increment(n.outputTokens),
    costUsd: FieldValue.increment(n.costUsd),
  };
  // Each call in a shard of its own, as many calls land in different ones.
  const shard = (booked += 1) % USAGE_DAY_SHARDS;
  const batch = f.firestore.batch();
  batch.create(root.collection('calls').doc(), { principal, principalType, model, ...n });
  batch.set(
    dayRef.collection('shards').doc(String(shard)),
    { principal, principalType, day, ...totals },
    { merge: true },
  );
  batch.set(
    dayRef.collection('models').doc(usageShardId(modelKey(model), shard)),
    { model, provider: model.split('/')[0], ...totals },
    { merge: true },
  );
  await batch.commit();
}

const GPT = 'openai/gpt-4.1';
const CLAUDE = 'anthropic/claude-sonnet-4.5';
let patKey: CreatedApiKey;
let samKey: CreatedApiKey;

beforeAll(async () => {
  const created = await f.call<CreatedApiKey>('pat', 'POST', '/api-keys', {
    name: 'pat batch',
    scopes: ['*'],
  });
  patKey = created.body;
  samKey = (await f.call<CreatedApiKey>('sam', 'POST', '/api-keys', { name: 's', scopes: ['*'] }))
    .body;
  const call = { inputTokens: 100, outputTokens: 50, costUsd: 0.1 };
  await book(f.uid.pat, 'user', ago(3), GPT, call);
  await book(f.uid.pat, 'user', ago(3), GPT, call);
  await book(f.uid.pat, 'user', ago(3), CLAUDE, { inputTokens: 10, outputTokens: 5, costUsd: 0.2 });
  await book(f.uid.pat, 'user', ago(1), GPT, call);
  await book(f.uid.pat, 'user', ago(9), GPT, call); // before the range asked for below
  await book(patKey.summary.id, 'apiKey', ago(0), GPT, { ...call, costUsd: 0.05 });
  await book(samKey.summary.id, 'apiKey', ago(0), GPT, call);
});

describe('GET /usage', () => {
  it('when a member asks for their own usage, then the days in range come back per model, summed', async () => {
    const res = await f.call<UsageReport>('pat', 'GET', `/usage?from=${ago(5)}&to=${ago(0)}`);
    expect(res.status).toBe(200);
    const report = res.body;
    expect(report).toMatchObject({ uid: f.uid.pat, from: ago(5), to: ago(0) });
    expect(report.principals).toHaveLength(1);
    const [me] = report.principals;
    expect(me).toMatchObject({ principal: f.uid.pat, principalType: 'user', key: null });
    expect(me!.days.map((d) => d.day)).toEqual([ago(3), ago(1)]);
    expect(me!.days[0]).toEqual({
      day: ago(3),
      calls: 3,
      inputTokens: 210,
      outputTokens: 105,
      costUsd: 0.4,
      // Most expensive first; equal costs by name.
      models: [
        { model: CLAUDE, calls: 1, inputTokens: 10, outputTokens: 5, costUsd: 0.2 },
        { model: GPT, calls: 2, inputTokens: 200, outputTokens: 100, costUsd: 0.2 },
      ],
    });
    // 0.1 + 0.1 + 0.1 is 0.30000000000000004 in floats; the report says 0.3.
    expect(report.models.find((m) => m.model === GPT)).toMatchObject({ calls: 3, costUsd: 0.3 });
    expect(report.totals).toEqual({ calls: 4, inputTokens: 310, outputTokens: 155, costUsd: 0.5 });
  });

  it('when includeKeys=true, then each of their keys is its own principal, and the totals include them', async () => {
    const res = await f.call<UsageReport>(
      'pat',
      'GET',
      `/usage?from=${ago(5)}&to=${ago(0)}&includeKeys=true`,
    );
    expect(res.status).toBe(200);
    const principals = res.body.principals.map((p) => p.principal);
    expect(principals).toEqual([f.uid.pat, patKey.summary.id]);
    expect(principals).not.toContain(samKey.summary.id);
    expect(res.body.principals[1]).toMatchObject({
      principalType: 'apiKey',
      key: { name: 'pat batch', prefix: patKey.summary.prefix },
      totals: { calls: 1, costUsd: 0.05 },
      days: [{ day: ago(0), calls: 1 }],
    });
    expect(res.body.totals).toMatchObject({ calls: 5, costUsd: 0.55 });
    // The key itself never appears, only its id, name and prefix.
    expect(res.text).not.toContain(patKey.key);
  });

  it('when a key ended before the range, then it is not part of the report', async () => {
    const old = await f.call<CreatedApiKey>('pat', 'POST', '/api-keys', {
      name: 'retired',
      scopes: ['*'],
    });
    await f.sql.query(
      `UPDATE api_keys SET created_at = now() - interval '20 days', revoked_at = now() - interval '10 days'
       WHERE id = $1`,
      [old.body.summary.id],
    );
    const recent = await f.call<UsageReport>(
      'pat',
      'GET',
      `/usage?from=${ago(3)}&to=${ago(0)}&includeKeys=true`,
    );
    expect(recent.body.principals.map((p) => p.principal)).not.toContain(old.body.summary.id);
    const longer = await f.call<UsageReport>(
      'pat',
      'GET',
      `/usage?from=${ago(15)}&to=${ago(0)}&includeKeys=true`,
    );
    expect(longer.body.principals.map((p) => p.principal)).toContain(old.body.summary.id);
  });

  it('when no range is given, then it is the 30 days up to today (UTC)', async () => {
    const res = await f.call<UsageReport>('pat', 'GET', '/usage');
    expect(res.body).toMatchObject({ from: ago(29), to: ago(0) });
    expect(res.body.totals.calls).toBe(5); // ago(9) is inside now
  });

  it('when a member asks for another user, then the answer is 403; admins and auditors may', async () => {
    const refused = await f.call<{ error: { code: string } }>(
      'sam',
      'GET',
      `/usage?uid=${f.uid.pat}`,
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    for (const who of ['boss', 'audra'] as const) {
      const res = await f.call<UsageReport>(who, 'GET', `/usage?uid=${f.uid.pat}&from=${ago(5)}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ uid: f.uid.pat, totals: { calls: 4 } });
    }
  });

  it('when an admin or auditor asks with all=true, then every user and key comes back, keys by name, summed', async () => {
    for (const who of ['boss', 'audra'] as const) {
      const res = await f.call<UsageReport>(
        who,
        'GET',
        `/usage?all=true&from=${ago(5)}&to=${ago(0)}`,
      );
      expect(res.status).toBe(200);
      const report = res.body;
      expect(report.uid).toBeNull();
      const byPrincipal = new Map(report.principals.map((p) => [p.principal, p]));
      expect(byPrincipal.get(f.uid.pat)).toMatchObject({
        principalType: 'user',
        key: null,
        totals: { calls: 4 },
      });
      expect(byPrincipal.get(patKey.summary.id)).toMatchObject({
        principalType: 'apiKey',
        key: { name: 'pat batch', prefix: patKey.summary.prefix },
        totals: { calls: 1 },
      });
      expect(byPrincipal.get(samKey.summary.id)).toMatchObject({ key: { name: 's' } });
      // Pat's 4 calls, and one call by each key.
      expect(report.totals).toMatchObject({ calls: 6, inputTokens: 510, outputTokens: 255 });
      expect(report.totals.costUsd).toBeCloseTo(0.65, 9);
      expect(report.models.map((m) => [m.model, m.calls])).toEqual([
        [GPT, 5],
        [CLAUDE, 1],
      ]);
      expect(res.text).not.toContain(patKey.key);
    }
  });

  it('when a member asks with all=true, then the answer is 403; with uid or includeKeys too, 400', async () => {
    const refused = await f.call<{ error: { code: string } }>('pat', 'GET', '/usage?all=true');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    for (const query of [`all=true&uid=${f.uid.pat}`, 'all=true&includeKeys=true', 'all=yes']) {
      const res = await f.call<{ error: { message: string } }>('boss', 'GET', `/usage?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.message).toMatch(/^Invalid query: all:/);
    }
  });

  it('when the range is malformed, reversed or longer than 92 days, then the answer is 400 naming from or to', async () => {
    const cases: [string, RegExp][] = [
      ['from=2026-13-01', /^Invalid query: from:/],
      [`from=${ago(1)}&to=${ago(2)}`, /^Invalid query: from: must not lie after to/],
      [`from=${ago(92)}&to=${ago(0)}`, /^Invalid query: from: a report spans at most 92 days/],
      ['includeKeys=maybe', /^Invalid query: includeKeys:/],
    ];
    for (const [query, message] of cases) {
      const res = await f.call<{ error: { message: string } }>('pat', 'GET', `/usage?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    expect((await f.call('pat', 'GET', `/usage?from=${ago(91)}&to=${ago(0)}`)).status).toBe(200);
  });

  it('when Firestore does not answer, then the answer is 503, for one user or for all', async () => {
    usageDown = true;
    try {
      for (const [who, path] of [
        ['pat', '/usage'],
        ['boss', '/usage?all=true'],
      ] as const) {
        const res = await f.call<{ error: { code: string } }>(who, 'GET', path);
        expect(res.status, path).toBe(503);
        expect(res.body.error.code).toBe('unavailable');
      }
    } finally {
      usageDown = false;
    }
  });

  it('when a usage document is malformed, then the answer is 500 and the log names the document', async () => {
    await f.firestore.doc(`usage/${f.uid.sam}/days/${ago(2)}/shards/3`).set({ calls: 'many' });
    const res = await f.call<{ error: { code: string } }>('sam', 'GET', '/usage');
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal');
    expect(f.logs()).toContain(`usage/${f.uid.sam}/days/${ago(2)}/shards/3`);
  });
});
