// A client that stops a stream must stop the provider too. The Functions emulator does not
// pass a client's disconnect on to the function, so this runs the functions the way Cloud Run
// hosts them (dev/serve.ts) and calls `chatLocal` with the real client SDK.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { getFunctions, httpsCallableFromURL, type Functions } from 'firebase/functions';
import { StreamEvent, type ClientTokenClaims } from '@colonycraft/protocol';
import { generateTokenKeys, startChild, type Child } from '@colonycraft/testing';
import { issueClientToken } from '../auth/client-token.js';
import { loadSigningKey } from '../auth/signing-keys.js';

let server: Child;
let baseUrl: string;
let app: FirebaseApp;
let functions: Functions;
let clientToken: string;

beforeAll(async () => {
  const keys = await generateTokenKeys('abort-test');
  const claims: ClientTokenClaims = {
    sub: 'u1',
    role: 'member',
    models: ['*'],
    tier: 'standard',
    jti: 'j1',
  };
  clientToken = (await issueClientToken(claims, await loadSigningKey(JSON.stringify(keys.signing))))
    .token;
  server = startChild(
    'functions',
    process.execPath,
    [fileURLToPath(new URL('../../lib/dev/serve.js', import.meta.url))],
    {
      cwd: process.cwd(),
      env: {
        ...process.env,
        TOKEN_VERIFY_KEYS: JSON.stringify(keys.verify),
        LOCAL_PROVIDER: 'enabled',
        LOCAL_PROVIDER_CHUNK_DELAY_MS: '50',
        GCLOUD_PROJECT: 'demo-colonycraft',
      },
    },
  );
  baseUrl = (await server.waitForLine(/functions hosted at/, 30_000)).split(' ').at(-1)!;
  app = initializeApp({ apiKey: 'demo-api-key', projectId: 'demo-colonycraft' }, 'abort-test');
  functions = getFunctions(app);
});

afterAll(async () => {
  if (app) await deleteApp(app);
  await server?.stop();
});

describe('chatLocal hosted as on Cloud Run', () => {
  it('when the client aborts after two chunks, then the provider stops and the call is logged as cancelled', async () => {
    const controller = new AbortController();
    const call = await httpsCallableFromURL(functions, `${baseUrl}chatLocal`).stream(
      {
        model: 'local/echo',
        messages: [{ role: 'user', content: 'count to one hundred' }],
        clientToken,
      },
      { signal: controller.signal },
    );
    const data = call.data.catch((error: unknown) => error);
    let deltas = 0;
    await expect(
      (async () => {
        for await (const chunk of call.stream) {
          if (StreamEvent.parse(chunk).type === 'text-delta') deltas += 1;
          if (deltas === 2) controller.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(deltas).toBe(2);
    expect(await data).toMatchObject({ code: 'functions/cancelled' });

    const line = await server.waitForLine(/"message":"chat"/, 10_000);
    const entry = JSON.parse(line) as Record<string, unknown>;
    expect(entry).toMatchObject({ status: 'cancelled', principal: 'u1', model: 'local/echo' });
    // The whole reply is 12 words; the provider stopped long before its end.
    expect(entry.outputTokens).toBeLessThan(6);
  });
});
