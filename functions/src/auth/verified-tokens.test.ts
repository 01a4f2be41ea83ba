import { beforeAll, describe, expect, it } from 'vitest';
import type { CryptoKey } from 'jose';
import type { ClientTokenClaims } from '@colonycraft/protocol';
import { generateTokenKeys } from '@colonycraft/testing';
import { issueClientToken } from './client-token.js';
import { loadSigningKey, loadVerifyKeys, type SigningKey } from './signing-keys.js';
import { createTokenVerifier } from './verified-tokens.js';

const claims: ClientTokenClaims = {
  sub: 'u',
  role: 'member',
  models: ['*'],
  tier: 'standard',
  jti: 'j',
};
let signing: SigningKey;
let keys: Map<string, CryptoKey>;

beforeAll(async () => {
  const generated = await generateTokenKeys('k1');
  signing = await loadSigningKey(JSON.stringify(generated.signing));
  keys = await loadVerifyKeys(JSON.stringify(generated.verify));
});

describe('the verified-token cache', () => {
  it('when a token was verified, then the next check of it returns the same claims', async () => {
    const verify = createTokenVerifier();
    const { token } = await issueClientToken(claims, signing);
    expect(await verify(token, keys)).toEqual(claims);
    expect(await verify(token, keys)).toEqual(claims);
  });

  it('when a cached token has expired, then it is refused', async () => {
    let clock = Date.now();
    const verify = createTokenVerifier(() => clock);
    const { token } = await issueClientToken(claims, signing, { ttlSeconds: 60, now: () => clock });
    await verify(token, keys);
    clock += 61_000;
    await expect(verify(token, keys)).rejects.toThrow(/expired/);
  });

  it('when a different string arrives, even one differing only in its signature, then it is verified afresh', async () => {
    const verify = createTokenVerifier();
    const { token } = await issueClientToken(claims, signing);
    await verify(token, keys);
    const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    await expect(verify(tampered, keys)).rejects.toThrow();
  });

  it('when the verification keys change, then cached tokens are checked against the new keys', async () => {
    const verify = createTokenVerifier();
    const { token } = await issueClientToken(claims, signing);
    await verify(token, keys);
    const other = await generateTokenKeys('k1');
    await expect(
      verify(token, await loadVerifyKeys(JSON.stringify(other.verify))),
    ).rejects.toThrow();
  });
});
