// The token keys, declared once. Secrets are bound per function (least privilege): only
// `exchangeToken` can read the signing keys. Provider keys are declared beside their providers.
import { defineSecret, defineString } from 'firebase-functions/params';

/** Private JWKs that sign client tokens (secret store; locally `functions/.secret.local`). */
export const TOKEN_SIGNING_KEYS = defineSecret('TOKEN_SIGNING_KEYS');

/** Public JWKS that verifies client tokens; not secret. */
export const TOKEN_VERIFY_KEYS = defineString('TOKEN_VERIFY_KEYS', {
  description: 'JWKS (JSON) of the public keys that verify client tokens',
});
