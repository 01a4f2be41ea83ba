// Ending client tokens before they expire. `revokeClientToken`: a caller ends its own token
// (sign-out). `revokeUserTokens`: an admin ends every token of a user (an account disabled or
// compromised); revoking their refresh tokens, so no new ID token can be had, is the admin
// API's part.
import { onCall } from 'firebase-functions/v2/https';
import { z } from 'zod';
import { WithClientToken, describeIssues } from '@colonycraft/protocol';
import { GatewayError, toHttpsError } from '../errors.js';
import { authenticateClientToken } from './authenticate.js';
import { getDenylist } from './denylist.js';

function parse<T>(schema: z.ZodType<T>, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new GatewayError('invalid-argument', describeIssues(parsed.error));
  return parsed.data;
}

export const revokeClientToken = onCall(async (request): Promise<{ revoked: true }> => {
  try {
    const { clientToken } = parse(WithClientToken, request.data);
    const claims = await authenticateClientToken(clientToken);
    await getDenylist().denyToken(claims.jti);
    return { revoked: true };
  } catch (error) {
    throw toHttpsError(error);
  }
});

const RevokeUserTokens = WithClientToken.extend({ uid: z.string().min(1).max(128) });

export const revokeUserTokens = onCall(async (request): Promise<{ revoked: true }> => {
  try {
    const { clientToken, uid } = parse(RevokeUserTokens, request.data);
    const claims = await authenticateClientToken(clientToken);
    if (claims.role !== 'admin')
      throw new GatewayError('permission-denied', 'Only an admin may revoke a user’s tokens.');
    await getDenylist().denySubject(uid);
    return { revoked: true };
  } catch (error) {
    throw toHttpsError(error);
  }
});
