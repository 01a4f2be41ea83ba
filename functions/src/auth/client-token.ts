// Issues and verifies client tokens: short-lived JWTs that every provider endpoint checks
// without a database call. Verification pins the algorithm, issuer, audience and lifetime, so
// `alg: none`, foreign tokens and over-long tokens are refused whatever their claims say.
import { SignJWT, jwtVerify, errors, type CryptoKey, type JWTHeaderParameters } from 'jose';
import {
  CLIENT_TOKEN_AUDIENCE,
  CLIENT_TOKEN_ISSUER,
  CLIENT_TOKEN_MAX_TTL_SECONDS,
  ClientTokenClaims,
  describeIssues,
} from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';
import { TOKEN_ALG, type SigningKey } from './signing-keys.js';

export interface IssuedToken {
  token: string;
  expiresAt: number;
}

export async function issueClientToken(
  claims: ClientTokenClaims,
  signingKey: SigningKey,
  options: { ttlSeconds?: number; now?: () => number } = {},
): Promise<IssuedToken> {
  const ttl = Math.min(
    options.ttlSeconds ?? CLIENT_TOKEN_MAX_TTL_SECONDS,
    CLIENT_TOKEN_MAX_TTL_SECONDS,
  );
  const nowSeconds = Math.floor((options.now?.() ?? Date.now()) / 1000);
  const { sub, jti, ...rest } = claims;
  const token = await new SignJWT(rest)
    .setProtectedHeader({ alg: TOKEN_ALG, kid: signingKey.kid, typ: 'JWT' })
    .setSubject(sub)
    .setJti(jti)
    .setIssuer(CLIENT_TOKEN_ISSUER)
    .setAudience(CLIENT_TOKEN_AUDIENCE)
    .setIssuedAt(nowSeconds)
    .setNotBefore(nowSeconds)
    .setExpirationTime(nowSeconds + ttl)
    .sign(signingKey.key);
  return { token, expiresAt: (nowSeconds + ttl) * 1000 };
}

export async function verifyClientToken(
  token: string,
  verifyKeys: ReadonlyMap<string, CryptoKey>,
  options: { now?: () => number } = {},
): Promise<ClientTokenClaims> {
  const keyFor = (header: JWTHeaderParameters): CryptoKey => {
    const key = header.kid === undefined ? undefined : verifyKeys.get(header.kid);
    if (!key)
      throw new GatewayError('unauthenticated', 'Client token was signed by an unknown key.');
    return key;
  };
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, keyFor, {
      algorithms: [TOKEN_ALG],
      issuer: CLIENT_TOKEN_ISSUER,
      audience: CLIENT_TOKEN_AUDIENCE,
      maxTokenAge: CLIENT_TOKEN_MAX_TTL_SECONDS,
      requiredClaims: ['exp', 'iat', 'nbf', 'sub', 'jti'],
      ...(options.now ? { currentDate: new Date(options.now()) } : {}),
    }));
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError('unauthenticated', reasonFor(error), undefined, { cause: error });
  }
  const claims = ClientTokenClaims.safeParse(payload);
  if (!claims.success) {
    throw new GatewayError(
      'unauthenticated',
      `Client token claims are invalid: ${describeIssues(claims.error)}`,
    );
  }
  return claims.data;
}

function reasonFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'Client token has expired; exchange a new one.';
  if (error instanceof errors.JWTClaimValidationFailed) {
    return `Client token was refused: claim "${error.claim}" ${error.reason === 'check_failed' ? 'failed its check' : 'is missing'}.`;
  }
  return 'Client token is not valid.';
}
