// Programs with API keys: /v1 accepts a key as Bearer by its Firestore verification record,
// stops accepting it within the cache time once it is revoked, and exchanges it for a client
// token over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import OpenAI, { APIError } from 'openai';
import { FieldValue } from 'firebase-admin/firestore';
import { ExchangeTokenResponse, type ApiKeyRecord } from '@colonycraft/protocol';
import { stubReply } from '@colonycraft/testing';
import { startGatewayFixture, type GatewayFixture } from '../dev/gateway-fixture.js';
import { createConversation } from '../conversations/conversation-store.js';
import { hashApiKey } from './api-keys.js';

let gw: GatewayFixture;

beforeAll(async () => {
  gw = await startGatewayFixture({ API_KEY_CACHE_SECONDS: '1' });
});

afterAll(async () => {
  await gw?.stop();
});

async function newKey(record: Partial<ApiKeyRecord> = {}): Promise<{ key: string; keyId: string }> {
  const key = `cc_${randomBytes(4).toString('hex')}${randomBytes(32).toString('base64url').replace(/[-_]/g, 'x')}`;
  const keyId = `key-${randomBytes(4).toString('hex')}`;
  const full: ApiKeyRecord = {
    keyId,
    owner: 'owner-1',
    scopes: ['*'],
    tier: 'standard',
    expiresAt: null,
    revokedAt: null,
    notAfter: null,
    ownerDisabled: false,
    ...record,
  };
  await gw.db.doc(`apiKeys/${hashApiKey(key)}`).set(full);
  return { key, keyId };
}

const clientFor = (apiKey: string) =>
  new OpenAI({ apiKey, baseURL: `${gw.url}v1/v1`, maxRetries: 0 });
const ask = [{ role: 'user' as const, content: 'from a program' }];

async function status(promise: Promise<unknown>): Promise<number | undefined> {
  return promise.then(
    () => 200,
    (e: unknown) => (e instanceof APIError ? e.status : undefined),
  );
}

describe('API keys on /v1', () => {
  it('when a program sends a valid key, then it gets answers and the usage is billed to the key', async () => {
    const { key, keyId } = await newKey();
    const completion = await clientFor(key).chat.completions.create({
      model: 'openai/gpt-stub',
      messages: ask,
    });
    expect(completion.choices[0]?.message.content).toBe(stubReply('from a program'));
    await expect
      .poll(
        async () =>
          (await gw.db.collection(`usage/${keyId}/calls`).get()).docs.map((d) => d.data()),
        { timeout: 10_000 },
      )
      .toMatchObject([{ principalType: 'apiKey', uid: 'owner-1', model: 'openai/gpt-stub' }]);
  });

  it('when the key is scoped to one model, then other models are refused with 403', async () => {
    const { key } = await newKey({ scopes: ['local/echo'] });
    expect(
      await status(clientFor(key).chat.completions.create({ model: 'local/echo', messages: ask })),
    ).toBe(200);
    expect(
      await status(
        clientFor(key).chat.completions.create({ model: 'openai/gpt-stub', messages: ask }),
      ),
    ).toBe(403);
  });

  it('when the key is unknown, expired, or past its rotation grace, then it gets 401', async () => {
    const unknown = `cc_${randomBytes(30).toString('hex')}`;
    const expired = await newKey({ expiresAt: Date.now() - 1000 });
    const rotated = await newKey({ notAfter: Date.now() - 1000 });
    for (const key of [unknown, expired.key, rotated.key]) {
      expect(
        await status(
          clientFor(key).chat.completions.create({ model: 'local/echo', messages: ask }),
        ),
      ).toBe(401);
    }
  });

  it('when the key is revoked, then it stops working within the cache time', async () => {
    const { key } = await newKey();
    expect(
      await status(clientFor(key).chat.completions.create({ model: 'local/echo', messages: ask })),
    ).toBe(200);
    await gw.db.doc(`apiKeys/${hashApiKey(key)}`).update({ revokedAt: Date.now() });
    await expect
      .poll(
        () =>
          status(clientFor(key).chat.completions.create({ model: 'local/echo', messages: ask })),
        {
          timeout: 5_000,
          interval: 200,
        },
      )
      .toBe(401);
  });
});

describe('a disabled owner’s key', () => {
  it('when the owner is disabled, then /v1 and the exchange refuse the key with 403 saying so, and it works again once re-enabled', async () => {
    const { key } = await newKey({ ownerDisabled: true });
    const refused = await clientFor(key)
      .chat.completions.create({ model: 'local/echo', messages: ask })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(APIError);
    expect((refused as APIError).status).toBe(403);
    expect((refused as APIError).message).toMatch(/owner is disabled/);
    const exchange = await fetch(`${gw.url}exchangeApiKey`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(exchange.status).toBe(403);
    expect(JSON.stringify(await exchange.json())).toMatch(/owner is disabled/);

    await gw.db.doc(`apiKeys/${hashApiKey(key)}`).update({ ownerDisabled: false });
    await expect
      .poll(
        () =>
          status(clientFor(key).chat.completions.create({ model: 'local/echo', messages: ask })),
        { timeout: 5_000, interval: 200 },
      )
      .toBe(200);
  });

  it('when a record predates the field, then the key works as before', async () => {
    const { key } = await newKey();
    await gw.db.doc(`apiKeys/${hashApiKey(key)}`).update({ ownerDisabled: FieldValue.delete() });
    expect(
      await status(clientFor(key).chat.completions.create({ model: 'local/echo', messages: ask })),
    ).toBe(200);
  });
});

describe('exchangeApiKey', () => {
  it('when a program posts its key, then it gets a client token carrying the key that works on /v1', async () => {
    const { key, keyId } = await newKey({ scopes: ['local/echo'], tier: 'free' });
    const res = await fetch(`${gw.url}exchangeApiKey`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.status).toBe(200);
    const exchanged = ExchangeTokenResponse.parse(await res.json());
    expect(exchanged.claims).toMatchObject({
      sub: 'owner-1',
      key: keyId,
      models: ['local/echo'],
      tier: 'free',
    });
    const completion = await clientFor(exchanged.token).chat.completions.create({
      model: 'local/echo',
      messages: ask,
    });
    expect(completion.choices[0]?.message.content).toContain('from a program');
  });

  it("when the key names no conversations scope, then its client token reaches none of the owner's conversations; with `conversations`, it reads them only", async () => {
    const owner = `owner-${randomBytes(4).toString('hex')}`;
    const { id } = await createConversation(gw.db, owner, {
      title: 'private',
      model: 'local/echo',
    });
    const exchange = async (scopes: string[]) => {
      const { key } = await newKey({ owner, scopes });
      const res = await fetch(`${gw.url}exchangeApiKey`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
      });
      return ExchangeTokenResponse.parse(await res.json());
    };
    // The callable wire, as the firebase client SDK speaks it.
    const callable = async (name: string, data: Record<string, unknown>) => {
      const res = await fetch(`${gw.url}${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data }),
      });
      return (await res.json()) as {
        result?: unknown;
        error?: { status: string; message: string };
      };
    };

    const none = await exchange(['local/echo']);
    expect(none.claims.conversations).toBeUndefined();
    expect(await callable('listConversations', { clientToken: none.token })).toEqual({
      error: {
        status: 'PERMISSION_DENIED',
        message: "conversations: this API key's token has no conversations scope",
      },
    });

    const reader = await exchange(['local/echo', 'conversations']);
    expect(reader.claims).toMatchObject({ models: ['local/echo'], conversations: 'read' });
    const listed = await callable('listConversations', { clientToken: reader.token });
    expect(listed.result).toMatchObject({ conversations: [{ id, title: 'private' }] });
    expect(
      await callable('renameConversation', {
        clientToken: reader.token,
        conversationId: id,
        title: 'mine now',
      }),
    ).toMatchObject({ error: { status: 'PERMISSION_DENIED' } });

    const writer = await exchange(['*', 'conversations:write']);
    expect(writer.claims).toMatchObject({ models: ['*'], conversations: 'write' });
  });

  it('when the key ends in a minute (expiry or rotation grace), then its client token ends with it', async () => {
    for (const end of ['expiresAt', 'notAfter'] as const) {
      const endsAt = Date.now() + 60_000;
      const { key } = await newKey({ [end]: endsAt });
      const res = await fetch(`${gw.url}exchangeApiKey`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
      });
      const exchanged = ExchangeTokenResponse.parse(await res.json());
      expect(exchanged.expiresAt).toBeLessThanOrEqual(endsAt);
      expect(exchanged.expiresAt).toBeGreaterThan(endsAt - 5_000);
    }
  });

  it('when the key is wrong, then the exchange answers 401', async () => {
    const res = await fetch(`${gw.url}exchangeApiKey`, {
      method: 'POST',
      headers: { authorization: `Bearer cc_${randomBytes(30).toString('hex')}` },
    });
    expect(res.status).toBe(401);
  });
});
