// `v1`: the OpenAI-compatible HTTPS function. It binds every provider's secret, since a
// program may call any model. It accepts an API key or a client token as Bearer.
import { onRequest } from 'firebase-functions/v2/https';
import { verifyClientTokenCached } from '../auth/verified-tokens.js';
import { apiKeyCacheMs, createApiKeyVerifier, looksLikeApiKey } from '../auth/api-keys.js';
import { currentVerifyKeys } from '../auth/keys.js';
import { db } from '../firebase.js';
import { getLimiter } from '../limits/limiter-from-env.js';
import { policyFromEnv } from '../gateway/policy.js';
import { PROVIDERS } from '../providers/registry.js';
import { createV1App } from './v1-app.js';

let app: ReturnType<typeof createV1App> | undefined;
const verifyApiKey = createApiKeyVerifier({ db, cacheMs: apiKeyCacheMs() });

export const v1 = onRequest(
  {
    secrets: PROVIDERS.flatMap((entry) => (entry.secret ? [entry.secret] : [])),
    timeoutSeconds: 540,
  },
  (req, res) => {
    app ??= createV1App({
      entries: PROVIDERS,
      verifyKeys: currentVerifyKeys,
      policy: policyFromEnv(),
      db,
      limiter: getLimiter,
      authenticate: async (bearer) =>
        looksLikeApiKey(bearer)
          ? verifyApiKey(bearer)
          : verifyClientTokenCached(bearer, await currentVerifyKeys()),
      corsOrigins: (process.env.V1_CORS_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    });
    return app(req, res);
  },
);
