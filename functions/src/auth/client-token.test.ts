import { describe, expect, it, beforeAll } from 'vitest';
import { SignJWT, base64url, type CryptoKey } from 'jose';
import type { ClientTokenClaims } from '@colonycraft/protocol';
import { issueClientToken, verifyClientToken } from './client-token.js';
import { generateTokenKeys } from '@colonycraft/testing';
import { loadSigningKey, loadVerifyKeys, type SigningKey } from './signing-keys.js';

const claims: ClientTokenClaims = {
  sub: 'user-1',
  role: 'member',
  models: ['*'],
  tier: 'standard',
  jti: 'token-1',
};

let signing: SigningKey;
let verify: Map<string, CryptoKey>;
let otherSigning: SigningKey;

beforeAll(async () => {
  const keys = await generateTokenKeys('k1');
  signing = await loadSigningKey(JSON.stringify(keys.signing));
  verify = await loadVerifyKeys(JSON.stringify(keys.verify));
  const other = await generateTokenKeys('k1');
  otherSigning = await loadSigningKey(JSON.stringify(other.signing));
});

describe('client tokens', () => {
  it('when a token is issued and verified with the matching keys, then the claims come back', async () => {
    const { token, expiresAt } = await issueClientToken(claims, signing);
    expect(await verifyClientToken(token, verify)).toEqual(claims);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 15 * 60 * 1000);
  });

  it('when a longer lifetime is asked for, then it is capped at 15 minutes', async () => {
    const now = 1_700_000_000_000;
    const { expiresAt } = await issueClientToken(claims, signing, {
      ttlSeconds: 3600,
      now: () => now,
    });
    expect(expiresAt).toBe(now + 15 * 60 * 1000);
  });

  it('when the token has expired, then it is refused as expired', async () => {
    const { token } = await issueClientToken(claims, signing, {
      now: () => Date.now() - 20 * 60 * 1000,
    });
    await expect(verifyClientToken(token, verify)).rejects.toThrow(/expired/);
  });

  it('when the token is not yet valid, then it is refused', async () => {
    const { token } = await issueClientToken(claims, signing, {
      now: () => Date.now() + 60 * 60 * 1000,
    });
    await expect(verifyClientToken(token, verify)).rejects.toThrow(/nbf|iat/);
  });

  it('when another key with the same kid signed it, then the signature is refused', async () => {
    const { token } = await issueClientToken(claims, otherSigning);
    await expect(verifyClientToken(token, verify)).rejects.toThrow('Client token is not valid.');
  });

  it('when the kid is unknown, then it is refused naming the key', async () => {
    const { token } = await issueClientToken(claims, { ...signing, kid: 'k9' });
    await expect(verifyClientToken(token, verify)).rejects.toThrow(/unknown key/);
  });

  it('when the token says alg none, then it is refused', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', kid: 'k1' }));
    const now = Math.floor(Date.now() / 1000);
    const body = base64url.encode(
      JSON.stringify({
        ...claims,
        iss: 'colonycraft',
        aud: 'colonycraft-gateway',
        iat: now,
        nbf: now,
        exp: now + 60,
      }),
    );
    await expect(verifyClientToken(`${header}.${body}.`, verify)).rejects.toThrow(
      'Client token is not valid.',
    );
  });

  it('when the token was made for another audience, then it is refused naming the claim', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ role: 'admin', models: ['*'], tier: 'unlimited' })
      .setProtectedHeader({ alg: 'Ed25519', kid: 'k1' })
      .setSubject('user-1')
      .setJti('t')
      .setIssuer('colonycraft')
      .setAudience('someone-else')
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + 60)
      .sign(signing.key);
    await expect(verifyClientToken(token, verify)).rejects.toThrow(/"aud"/);
  });

  it('when a claim has the wrong shape, then the field is named', async () => {
    const { token } = await issueClientToken({ ...claims, role: 'owner' as 'admin' }, signing);
    await expect(verifyClientToken(token, verify)).rejects.toThrow(/role/);
  });
});

describe('signing-key rotation', () => {
  it('when a new key becomes active, then tokens from the old key stay valid until the old key is retired', async () => {
    const old = await generateTokenKeys('k-old');
    const next = await generateTokenKeys('k-new');
    const oldKey = await loadSigningKey(JSON.stringify(old.signing));
    const newKey = await loadSigningKey(JSON.stringify(next.signing));
    const both = await loadVerifyKeys(
      JSON.stringify({ keys: [...old.verify.keys, ...next.verify.keys] }),
    );
    const onlyNew = await loadVerifyKeys(JSON.stringify(next.verify));

    const before = (await issueClientToken(claims, oldKey)).token;
    const after = (await issueClientToken(claims, newKey)).token;
    // Overlap: the JWKS holds both keys, so tokens of either verify.
    expect(await verifyClientToken(before, both)).toEqual(claims);
    expect(await verifyClientToken(after, both)).toEqual(claims);
    // Retired: once the old key leaves the JWKS, its tokens are refused by kid.
    expect(await verifyClientToken(after, onlyNew)).toEqual(claims);
    await expect(verifyClientToken(before, onlyNew)).rejects.toThrow(/unknown key/);
  });
});
