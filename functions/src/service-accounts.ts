// The identities the functions run as in production, so that IAM, not code, decides which
// provider keys each may read (docs/provider-keys.md has the bindings). `name@` is Firebase's
// short form of name@PROJECT.iam.gserviceaccount.com. The emulator ignores them.
import type { ProviderInfo } from '@colonycraft/protocol';

/** Every function that calls no provider: token exchange, conversations. Reads no provider key. */
export const FUNCTIONS_SERVICE_ACCOUNT = 'colonycraft-functions@';

/**
 * `chat`, `v1` and `listModels`, which serve any provider: may read every provider key. Also
 * `drainUsageLedger`, which reaches the same Redis and Firestore.
 */
export const GATEWAY_SERVICE_ACCOUNT = 'colonycraft-gateway@';

/**
 * A provider's own chat callable runs as its row's account, which may read its key and no
 * other; a provider without a key (local) runs as the account that reads none.
 */
export function providerServiceAccount(info: ProviderInfo): string {
  return info.serviceAccount ?? FUNCTIONS_SERVICE_ACCOUNT;
}
