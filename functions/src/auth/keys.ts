// Loads the token keys once per instance and reuses them; a changed value (a rotation that
// reached this instance's environment) is loaded afresh.
import type { CryptoKey } from 'jose';
import { TOKEN_SIGNING_KEYS, TOKEN_VERIFY_KEYS } from '../params.js';
import { loadSigningKey, loadVerifyKeys, type SigningKey } from './signing-keys.js';

function memoizeByInput<T>(load: (raw: string) => Promise<T>): (raw: string) => Promise<T> {
  let last: { raw: string; value: Promise<T> } | undefined;
  return (raw) => {
    if (last?.raw !== raw) last = { raw, value: load(raw) };
    return last.value;
  };
}

const signingKeyFrom = memoizeByInput(loadSigningKey);
const verifyKeysFrom = memoizeByInput(loadVerifyKeys);

export function currentSigningKey(): Promise<SigningKey> {
  return signingKeyFrom(TOKEN_SIGNING_KEYS.value());
}

export function currentVerifyKeys(): Promise<Map<string, CryptoKey>> {
  return verifyKeysFrom(TOKEN_VERIFY_KEYS.value());
}
