// `exchangeToken`: a signed-in user's Firebase ID token (checked by the callable framework)
// becomes a short-lived client token carrying who they are and what they may use.
import { randomUUID } from 'node:crypto';
import { onCall } from 'firebase-functions/v2/https';
import { FieldValue } from 'firebase-admin/firestore';
import {
  RateTier,
  Role,
  effectiveTier,
  type ClientTokenClaims,
  type ExchangeTokenResponse,
} from '@colonycraft/protocol';
import { GatewayError, toHttpsError } from '../errors.js';
import { adminApp, db } from '../firebase.js';
import { getAuth } from 'firebase-admin/auth';
import { TOKEN_SIGNING_KEYS } from '../params.js';
import { issueClientToken } from './client-token.js';
import { currentSigningKey } from './keys.js';

export const exchangeToken = onCall(
  { secrets: [TOKEN_SIGNING_KEYS] },
  async (request): Promise<ExchangeTokenResponse> => {
    try {
      if (!request.auth)
        throw new GatewayError('unauthenticated', 'Sign in before exchanging a token.');
      // An ID token outlives the account being disabled by up to an hour; the exchange does not.
      const user = await getAuth(adminApp()).getUser(request.auth.uid);
      if (user.disabled) throw new GatewayError('unauthenticated', 'This account is disabled.');
      // Nor does it outlive a revocation of the user's sessions (the admin API revokes them when
      // it changes a role or tier), which would leave the old claims in use: checked as
      // firebase-admin's checkRevoked does, by the time of sign-in.
      const validSince = user.tokensValidAfterTime ? Date.parse(user.tokensValidAfterTime) : 0;
      if (request.auth.token.auth_time * 1000 < validSince) {
        throw new GatewayError('unauthenticated', 'Your session has ended; sign in again.');
      }
      const role = Role.catch('member').parse(request.auth.token.role);
      // An admin may assign a tier (mirrored into the `tier` claim); otherwise it follows the role.
      const tier = effectiveTier(
        role,
        RateTier.optional().catch(undefined).parse(request.auth.token.tier),
      );
      const claims: ClientTokenClaims = {
        sub: request.auth.uid,
        role,
        models: ['*'],
        tier,
        jti: randomUUID(),
      };
      const issued = await issueClientToken(claims, await currentSigningKey());
      await db()
        .doc(`users/${request.auth.uid}`)
        .set(
          {
            email: request.auth.token.email ?? null,
            role,
            lastTokenAt: FieldValue.serverTimestamp(),
          },
          { merge: true },
        );
      return { ...issued, claims };
    } catch (error) {
      throw toHttpsError(error);
    }
  },
);
