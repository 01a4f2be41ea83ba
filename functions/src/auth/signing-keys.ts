// Client-token signing keys. The private keys live in the secret store (bound only to the
// exchange function); verifiers get the public half, so a provider function never holds a key
// that could mint tokens. Each key has a `kid`, so a new key can sign while tokens from the
// old one stay valid until they expire.
import { importJWK, type CryptoKey, type JWK } from 'jose';
import { z } from 'zod';

export const TOKEN_ALG = 'Ed25519';

const Jwk = z.looseObject({ kid: z.string().min(1), kty: z.string(), crv: z.string() });

/** Secret `TOKEN_SIGNING_KEYS`: the active key signs; the others are kept for overlap only. */
export const SigningKeySet = z.object({
  active: z.string().min(1),
  keys: z.array(Jwk.extend({ d: z.string().min(1) })).min(1),
});
export type SigningKeySet = z.infer<typeof SigningKeySet>;

/** Param `TOKEN_VERIFY_KEYS`: a JWKS of public keys. */
export const VerifyKeySet = z.object({ keys: z.array(Jwk).min(1) });
export type VerifyKeySet = z.infer<typeof VerifyKeySet>;

export interface SigningKey {
  kid: string;
  key: CryptoKey;
}

function parseJson<T>(name: string, raw: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`${name} is not valid JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`${name} is malformed: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export async function loadSigningKey(raw: string): Promise<SigningKey> {
  const set = parseJson('TOKEN_SIGNING_KEYS', raw, SigningKeySet);
  const jwk = set.keys.find((k) => k.kid === set.active);
  if (!jwk) throw new Error(`TOKEN_SIGNING_KEYS has no key with the active kid "${set.active}"`);
  return { kid: jwk.kid, key: (await importJWK(jwk as JWK, TOKEN_ALG)) as CryptoKey };
}

export async function loadVerifyKeys(raw: string): Promise<Map<string, CryptoKey>> {
  const set = parseJson('TOKEN_VERIFY_KEYS', raw, VerifyKeySet);
  const entries = await Promise.all(
    set.keys.map(async (jwk) => {
      const { d: _private, ...publicJwk } = jwk as JWK;
      return [jwk.kid, (await importJWK(publicJwk, TOKEN_ALG)) as CryptoKey] as const;
    }),
  );
  return new Map(entries);
}
