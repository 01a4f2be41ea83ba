// `v1`: the OpenAI-compatible HTTPS function. It may read every provider's key, since a program
// may call any model. It accepts an API key or a client token as Bearer.
import { onRequest } from 'firebase-functions/v2/https';
import { checkNotDenied, identifyClientToken, type Identified } from '../auth/authenticate.js';
import { apiKeyCacheMs, createApiKeyVerifier, looksLikeApiKey } from '../auth/api-keys.js';
import { db } from '../firebase.js';
import { getLimiter } from '../limits/limiter-from-env.js';
import { instanceLedgerDrainer } from '../usage/ledger-drain.js';
import { policyFromEnv } from '../gateway/policy.js';
import { PROVIDERS } from '../providers/registry.js';
import { GATEWAY_SERVICE_ACCOUNT } from '../service-accounts.js';
import { startTelemetry } from '../telemetry/start.js';
import { createV1App } from './v1-app.js';

let app: ReturnType<typeof createV1App> | undefined;
/** Traces and metrics, exported when OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/telemetry.md). */
const telemetry = startTelemetry();
const verifyApiKey = createApiKeyVerifier({ db, cacheMs: apiKeyCacheMs() });

/** A client token or an API key, verified; its revocation is checked by the caller. */
async function identify(bearer: string): Promise<Identified> {
  if (!looksLikeApiKey(bearer)) return identifyClientToken(bearer);
  const { claims } = await verifyApiKey(bearer);
  return {
    claims,
    checkRevocation: () =>
      checkNotDenied(claims, 'The API key is revoked, or its owner may not call right now.'),
  };
}

export const v1 = onRequest(
  {
    serviceAccount: GATEWAY_SERVICE_ACCOUNT,
    timeoutSeconds: 540,
  },
  async (req, res) => {
    await telemetry;
    app ??= createV1App({
      entries: PROVIDERS,
      policy: policyFromEnv(),
      db,
      limiter: getLimiter,
      ledger: instanceLedgerDrainer,
      identify,
      corsOrigins: (process.env.V1_CORS_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    });
    return app(req, res);
  },
);
