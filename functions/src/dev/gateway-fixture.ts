// A gateway for integration tests, hosted as Cloud Run hosts it (dev/serve.ts in a child
// process), in front of the wire-compatible provider stub, recording into the Firestore
// emulator. Tests talk to it with the real openai SDK and the real firebase client SDK.
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { deleteApp, getApps, initializeApp } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import { UsageRecord, type ClientTokenClaims } from '@colonycraft/protocol';
import { setTimeout } from 'node:timers/promises';
import {
  generateTokenKeys,
  startChild,
  startFirestoreEmulator,
  startProviderStub,
  type Child,
  type ProviderStub,
} from '@colonycraft/testing';
import { issueClientToken } from '../auth/client-token.js';
import { loadSigningKey } from '../auth/signing-keys.js';

/** How long `records` waits for the gateway to drain its ledger, unless told otherwise. */
const RECORDS_WITHIN_MS = 5_000;

export const STUB_KEY = 'sk-stub-3f9a1c7e5b2d4608';

export interface GatewayFixture {
  stub: ProviderStub;
  /** Where function `name` answers, ending in a slash: `${url}chatBy-openai`. */
  url: string;
  db: Firestore;
  server: Child;
  token(claims?: Partial<ClientTokenClaims>): Promise<string>;
  /**
   * The principal's usage records, once `count` of them are in Firestore: with REDIS_URL the
   * gateway drains them from its Redis ledger shortly after each answer, off the answer's path.
   */
  records(principal: string, count?: number, withinMs?: number): Promise<UsageRecord[]>;
  stop(): Promise<void>;
}

export async function startGatewayFixture(
  env: Record<string, string> = {},
  options: {
    /** A Firestore emulator to share (with an admin API, say) instead of one of its own. */
    firestoreHost?: string;
  } = {},
): Promise<GatewayFixture> {
  const stub = await startProviderStub({ apiKey: STUB_KEY });
  const firestore = options.firestoreHost
    ? { host: options.firestoreHost, stop: async () => undefined }
    : await startFirestoreEmulator();
  const keys = await generateTokenKeys('fixture');
  const signing = await loadSigningKey(JSON.stringify(keys.signing));
  // The compiled entry point, whether this module runs from src/ (vitest) or lib/.
  const serve = fileURLToPath(new URL('../../lib/dev/serve.js', import.meta.url));
  const server = startChild('functions', process.execPath, [serve], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      GCLOUD_PROJECT: 'demo-colonycraft',
      FIRESTORE_EMULATOR_HOST: firestore.host,
      TOKEN_VERIFY_KEYS: JSON.stringify(keys.verify),
      TOKEN_SIGNING_KEYS: JSON.stringify(keys.signing),
      LOCAL_PROVIDER: 'enabled',
      LOCAL_PROVIDER_CHUNK_DELAY_MS: '5',
      OPENAI_API_KEY: STUB_KEY,
      OPENAI_BASE_URL: stub.openaiBaseURL,
      OPENAI_MODELS: JSON.stringify([
        { model: 'gpt-stub', inputPrice: 1, outputPrice: 2, cachedInputPrice: 0.5 },
        {
          model: 'gpt-stub-mini',
          inputPrice: 1,
          outputPrice: 4,
          capabilities: ['tools', 'vision', 'json-schema', 'reasoning'],
        },
        {
          model: 'embed-stub',
          contextWindow: 64,
          inputPrice: 0.5,
          outputPrice: 0,
          capabilities: ['embeddings'],
        },
      ]),
      ANTHROPIC_API_KEY: STUB_KEY,
      ANTHROPIC_BASE_URL: stub.anthropicBaseURL,
      ANTHROPIC_MODELS: JSON.stringify([
        {
          model: 'claude-stub',
          inputPrice: 3,
          outputPrice: 15,
          cachedInputPrice: 0.3,
          cacheWritePrice: 3.75,
        },
      ]),
      // An OpenAI-compatible server: the stub's OpenAI format under the compatible provider.
      COMPATIBLE_API_KEY: STUB_KEY,
      COMPATIBLE_BASE_URL: stub.openaiBaseURL,
      COMPATIBLE_MODELS: JSON.stringify([
        { model: 'gpt-stub', inputPrice: 1, outputPrice: 2 },
        { model: 'embed-stub', inputPrice: 0.25, outputPrice: 0, capabilities: ['embeddings'] },
      ]),
      MODEL_ALIASES: JSON.stringify({ smart: ['anthropic/claude-stub', 'openai/gpt-stub'] }),
      GATEWAY_RETRY_BASE_MS: '10',
      GATEWAY_MAX_RETRIES: '2',
      V1_CORS_ORIGINS: 'http://app.example.test',
      // Its own ledger streams: gateways of other tests may share the Redis, not the Firestore.
      USAGE_LEDGER_PREFIX: `cc:rl:ledger:${randomUUID()}:`,
      ...env,
    },
  });
  const url = (await server.waitForLine(/functions hosted at/, 30_000)).split(' ').at(-1)!;
  process.env.FIRESTORE_EMULATOR_HOST = firestore.host;
  const app = initializeApp({ projectId: 'demo-colonycraft' }, `fixture-${randomUUID()}`);
  const db = getFirestore(app);
  return {
    stub,
    url,
    db,
    server,
    token: async (claims = {}) =>
      (
        await issueClientToken(
          {
            sub: `user-${randomUUID()}`,
            role: 'member',
            models: ['*'],
            tier: 'standard',
            jti: randomUUID(),
            ...claims,
          },
          signing,
        )
      ).token,
    records: async (principal, count = 1, withinMs = RECORDS_WITHIN_MS) => {
      const deadline = Date.now() + withinMs;
      for (;;) {
        const calls = await db.collection(`usage/${principal}/calls`).get();
        if (calls.size >= count) return calls.docs.map((d) => UsageRecord.parse(d.data()));
        if (Date.now() > deadline)
          throw new Error(
            `usage/${principal}: ${calls.size} of ${count} records after ${withinMs} ms`,
          );
        await setTimeout(50);
      }
    },
    stop: async () => {
      await server.stop();
      if (getApps().includes(app)) await deleteApp(app);
      await firestore.stop();
      await stub.close();
    },
  };
}
