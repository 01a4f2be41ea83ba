// `exchangeApiKey`: the token exchange over plain HTTP for programs. `POST` with an API key as
// Bearer returns a client token (at most 15 minutes, and never past the key's own end) that
// carries the key's scopes, tier and id. The key's record may come from a cache up to 30 s
// old, so the token denylist is asked too: a key revoked or rotated without grace (or whose
// owner was disabled) is refused the moment the admin API has written its entry.
import { onRequest } from 'firebase-functions/v2/https';
import type { ExchangeTokenResponse } from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';
import { db } from '../firebase.js';
import { TOKEN_SIGNING_KEYS } from '../params.js';
import { errorBody, errorFromGateway } from './openai-response.js';
import { apiKeyCacheMs, createApiKeyVerifier, looksLikeApiKey } from '../auth/api-keys.js';
import { checkNotDenied } from '../auth/authenticate.js';
import { issueClientToken } from '../auth/client-token.js';
import { currentSigningKey } from '../auth/keys.js';

const verifyApiKey = createApiKeyVerifier({ db, cacheMs: apiKeyCacheMs() });

export const exchangeApiKey = onRequest({ secrets: [TOKEN_SIGNING_KEYS] }, async (req, res) => {
  res.setHeader('Cache-Control', 'no-store');
  try {
    if (req.method !== 'POST')
      throw new GatewayError('not-found', 'POST an API key as "Authorization: Bearer <key>".');
    const bearer = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (!bearer || !looksLikeApiKey(bearer)) {
      throw new GatewayError(
        'unauthenticated',
        'Send an API key as "Authorization: Bearer <key>".',
      );
    }
    const { claims, endsAt } = await verifyApiKey(bearer);
    await checkNotDenied(claims, 'The API key is not valid, expired or revoked.');
    const ttlSeconds = endsAt === undefined ? undefined : Math.floor((endsAt - Date.now()) / 1000);
    const issued = await issueClientToken(claims, await currentSigningKey(), { ttlSeconds });
    res.json({ ...issued, claims } satisfies ExchangeTokenResponse);
  } catch (error) {
    const { status, body } =
      error instanceof GatewayError
        ? errorFromGateway(error)
        : errorBody('internal', 'Something went wrong on our side.');
    res.status(status).json(body);
  }
});
