// Everything the functions read from their environment, declared once. Secrets are bound per
// function (least privilege): only `exchangeToken` can read the signing keys.
import { defineInt, defineSecret, defineString } from 'firebase-functions/params';

/** Private JWKs that sign client tokens (secret store; locally `functions/.secret.local`). */
export const TOKEN_SIGNING_KEYS = defineSecret('TOKEN_SIGNING_KEYS');

/** Public JWKS that verifies client tokens; not secret. */
export const TOKEN_VERIFY_KEYS = defineString('TOKEN_VERIFY_KEYS', {
  description: 'JWKS (JSON) of the public keys that verify client tokens',
});

/** Pause between the local model's words, so its answers stream visibly. */
export const LOCAL_PROVIDER_CHUNK_DELAY_MS = defineInt('LOCAL_PROVIDER_CHUNK_DELAY_MS', {
  default: 40,
});

/** The keyless `local` provider serves in the emulator, or where it is switched on explicitly. */
export function localProviderEnabled(): boolean {
  return process.env.FUNCTIONS_EMULATOR === 'true' || process.env.LOCAL_PROVIDER === 'enabled';
}
