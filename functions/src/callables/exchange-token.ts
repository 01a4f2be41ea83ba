// `exchangeToken`: a signed-in user's Firebase ID token (checked by the callable framework)
// becomes a short-lived client token carrying who they are and what they may use.
import { randomUUID } from 'node:crypto';
import {
  RateTier,
  Role,
  effectiveTier,
  type ClientTokenClaims,
  type ExchangeTokenResponse,
} from '@colonycraft/protocol';
import { z } from 'zod';
import { logger } from 'firebase-functions/logger';
import { STORE_DEADLINE_MS, withDeadline } from '../deadline.js';
import { GatewayError } from '../errors.js';
import { adminApp, db, firestoreSdk } from '../firebase.js';
import { getAuth } from 'firebase-admin/auth';
import { TOKEN_SIGNING_KEYS } from '../params.js';
import { issueClientToken } from '../auth/client-token.js';
import { currentSigningKey } from '../auth/keys.js';
import { defineCallable, signedInUser } from './define-callable.js';

export const exchangeToken = defineCallable({
  options: { secrets: [TOKEN_SIGNING_KEYS] },
  caller: signedInUser,
  input: z.unknown(),
  handle: async (_input, { caller: auth }): Promise<ExchangeTokenResponse> => {
    // An ID token outlives the account being disabled by up to an hour; the exchange does not.
    const user = await getAuth(adminApp()).getUser(auth.uid);
    if (user.disabled) throw new GatewayError('unauthenticated', 'This account is disabled.');
    // Nor does it outlive a revocation of the user's sessions (the admin API revokes them when
    // it changes a role or tier), which would leave the old claims in use: checked as
    // firebase-admin's checkRevoked does, by the time of sign-in.
    const validSince = user.tokensValidAfterTime ? Date.parse(user.tokensValidAfterTime) : 0;
    if (auth.token.auth_time * 1000 < validSince) {
      throw new GatewayError('unauthenticated', 'Your session has ended; sign in again.');
    }
    const role = Role.catch('member').parse(auth.token.role);
    // An admin may assign a tier (mirrored into the `tier` claim); otherwise it follows the role.
    const tier = effectiveTier(role, RateTier.optional().catch(undefined).parse(auth.token.tier));
    const claims: ClientTokenClaims = {
      sub: auth.uid,
      role,
      models: ['*'],
      tier,
      jti: randomUUID(),
    };
    const issued = await issueClientToken(claims, await currentSigningKey());
    // The user's profile for the admin console (email, role, last seen): waited for until
    // Firestore's deadline, never instead of the token, which needs no Firestore.
    const profile = db()
      .doc(`users/${auth.uid}`)
      .set(
        {
          email: auth.token.email ?? null,
          role,
          lastTokenAt: firestoreSdk().FieldValue.serverTimestamp(),
        },
        { merge: true },
      );
    await withDeadline(profile, STORE_DEADLINE_MS, 'Firestore').catch((error: unknown) =>
      logger.warn('exchangeToken: the user profile was not written in time', {
        uid: auth.uid,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    return { ...issued, claims };
  },
});
