import { describe, expect, it, vi } from 'vitest';
import {
  AdminApiError,
  buildQuery,
  createAdminApi,
  describeAdminError,
  errorFromResponse,
} from './admin-api.ts';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const me = { uid: 'u1', email: 'a@b.test', role: 'admin', tier: 'unlimited' };
const problem = (code: string, status = 400) =>
  json(status, { error: { code, message: `it was ${code}`, requestId: 'req-1' } });

function setup(answer: (url: string, init: RequestInit) => Response) {
  const fetchFn = vi.fn(async (url: string | URL | Request, init?: RequestInit) =>
    answer(String(url), init ?? {}),
  );
  const idToken = vi.fn(async (refresh: boolean) => (refresh ? 'fresh' : 'cached'));
  const api = createAdminApi({ baseUrl: 'http://admin.test/', idToken, fetchFn });
  return { api, fetchFn, idToken };
}

describe('buildQuery', () => {
  it('keeps defined, non-empty values and encodes them', () => {
    expect(buildQuery({ a: 'x y', b: undefined, c: '', d: null, e: 3, f: false })).toBe(
      '?a=x+y&e=3&f=false',
    );
  });

  it('is empty without values', () => {
    expect(buildQuery({ a: undefined })).toBe('');
  });
});

describe('errorFromResponse', () => {
  it('takes code, message and request id from an AdminError body', () => {
    const error = errorFromResponse(409, {
      error: { code: 'conflict', message: 'last admin', requestId: 'r9' },
    });
    expect(error).toMatchObject({ code: 'conflict', message: 'last admin', status: 409 });
    expect(error.requestId).toBe('r9');
  });

  it('is `unexpected` for any other body', () => {
    expect(errorFromResponse(502, '<html>')).toMatchObject({ code: 'unexpected', status: 502 });
  });
});

describe('describeAdminError', () => {
  it('gives a summary a person can act on, with the server message and request id', () => {
    const described = describeAdminError(new AdminApiError('forbidden', 'admins only', 403, 'r1'));
    expect(described).toEqual({
      summary: 'Your role does not allow that.',
      detail: 'admins only (request r1)',
      code: 'forbidden',
    });
  });
});

describe('createAdminApi', () => {
  it('sends the ID token as Bearer to base + path and validates the answer', async () => {
    const { api, fetchFn } = setup(() => json(200, me));
    expect(await api.me()).toEqual(me);
    const [url, init] = fetchFn.mock.calls[0]!;
    expect(url).toBe('http://admin.test/me');
    expect((init?.headers as Record<string, string>).authorization).toBe('Bearer cached');
  });

  it('sends JSON bodies and encodes path segments', async () => {
    const user = { ...me, displayName: null, assignedTier: null, disabled: false };
    const { api, fetchFn } = setup(() => json(200, user));
    await api.setRole('a/b', 'auditor');
    const [url, init] = fetchFn.mock.calls[0]!;
    expect(url).toBe('http://admin.test/users/a%2Fb/role');
    expect(init?.method).toBe('PUT');
    expect(JSON.parse(String(init?.body))).toEqual({ role: 'auditor' });
  });

  it('passes filters and the cursor as the query', async () => {
    const { api, fetchFn } = setup(() => json(200, { entries: [], nextCursor: null }));
    await api.listAudit({ action: 'api_key.create', actor: '', cursor: 'c2' });
    expect(fetchFn.mock.calls[0]![0]).toBe(
      'http://admin.test/audit?limit=50&action=api_key.create&cursor=c2',
    );
  });

  it('when refused as unauthenticated, then retries once with a fresh token', async () => {
    const { api, fetchFn, idToken } = setup((_url, init) =>
      (init.headers as Record<string, string>).authorization === 'Bearer fresh'
        ? json(200, me)
        : problem('unauthenticated', 401),
    );
    expect(await api.me()).toEqual(me);
    expect(fetchFn).toHaveBeenCalledTimes(2);
    expect(idToken).toHaveBeenLastCalledWith(true);
  });

  it('turns an error body into an AdminApiError', async () => {
    const { api } = setup(() => problem('invalid_request'));
    await expect(api.createKey({ name: 'x', scopes: ['*'] })).rejects.toMatchObject({
      name: 'AdminApiError',
      code: 'invalid_request',
      message: 'it was invalid_request',
      requestId: 'req-1',
      status: 400,
    });
  });

  it('rejects an answer that does not match the schema', async () => {
    const { api } = setup(() => json(200, { uid: 1 }));
    await expect(api.me()).rejects.toMatchObject({ code: 'unexpected' });
  });

  it('reports a failed fetch as a network error', async () => {
    const { api } = setup(() => {
      throw new TypeError('Failed to fetch');
    });
    await expect(api.verifyAudit()).rejects.toMatchObject({ code: 'network', status: 0 });
  });
});

describe('provider keys', () => {
  const openai = {
    id: 'openai',
    displayName: 'OpenAI',
    secretName: 'OPENAI_API_KEY',
    configured: true,
    keyLast4: 'abcd',
    lastRotatedAt: 1_700_000_000_000,
    lastRotatedBy: 'admin@colonycraft.test',
    versions: [
      {
        version: '2',
        state: 'enabled',
        createdAt: 1_700_000_000_000,
        createdBy: 'admin@colonycraft.test',
        disableAt: null,
      },
      {
        version: '1',
        state: 'enabled',
        createdAt: 1_600_000_000_000,
        createdBy: null,
        disableAt: 1_700_000_003_600,
      },
    ],
  };

  it('lists the providers with GET /providers', async () => {
    const list = { store: 'local', providers: [openai] };
    const { api, fetchFn } = setup(() => json(200, list));
    expect(await api.listProviders()).toEqual(list);
    const [url, init] = fetchFn.mock.calls[0]!;
    expect(url).toBe('http://admin.test/providers');
    expect(init?.method).toBe('GET');
    expect(init?.body).toBeUndefined();
  });

  it('sets a key with PUT /providers/{id}/key, and parses the rotation', async () => {
    const rotation = { provider: openai, version: '2', disablesVersions: ['1'], disableAt: 5 };
    const { api, fetchFn } = setup(() => json(200, rotation));
    const secret = 'sk-test-0123456789abcd';
    expect(await api.setProviderKey('openai', { key: secret, graceSeconds: 0 })).toEqual(rotation);
    const [url, init] = fetchFn.mock.calls[0]!;
    expect(url).toBe('http://admin.test/providers/openai/key');
    expect(init?.method).toBe('PUT');
    expect((init?.headers as Record<string, string>)['content-type']).toBe('application/json');
    expect(JSON.parse(String(init?.body))).toEqual({ key: secret, graceSeconds: 0 });
  });

  it('checks a key with POST /providers/{id}/test', async () => {
    const result = { ok: false, status: 401, latencyMs: 12, message: 'The key was refused.' };
    const { api, fetchFn } = setup(() => json(200, result));
    expect(await api.testProviderKey('anthropic')).toEqual(result);
    const [url, init] = fetchFn.mock.calls[0]!;
    expect(url).toBe('http://admin.test/providers/anthropic/test');
    expect(init?.method).toBe('POST');
  });

  it('rejects a provider list that does not match the schema', async () => {
    const { api } = setup(() => json(200, { store: 'vault', providers: [] }));
    await expect(api.listProviders()).rejects.toMatchObject({ code: 'unexpected', status: 200 });
  });

  it('rejects a status that would carry more than the last four characters', async () => {
    const leaky = { ...openai, keyLast4: 'sk-whole-key' };
    const { api } = setup(() => json(200, { store: 'google', providers: [leaky] }));
    await expect(api.listProviders()).rejects.toMatchObject({ code: 'unexpected' });
  });

  it('turns an auditor’s 403 into a forbidden AdminApiError', async () => {
    const { api } = setup(() => problem('forbidden', 403));
    await expect(api.listProviders()).rejects.toMatchObject({
      name: 'AdminApiError',
      code: 'forbidden',
      status: 403,
    });
  });

  it('does not put the key in the error when the API refuses it', async () => {
    const secret = 'sk-refused-0123456789';
    const { api } = setup(() => problem('invalid_request'));
    const error: unknown = await api
      .setProviderKey('openai', { key: secret })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiError);
    expect(JSON.stringify(describeAdminError(error))).not.toContain(secret);
  });
});
