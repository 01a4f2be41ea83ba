// The identities the functions run as in production, so that IAM, not code, decides which
// provider keys each may read (docs/provider-keys.md has the bindings). `name@` is Firebase's
// short form of name@PROJECT.iam.gserviceaccount.com. The emulator ignores them.

/** Every function that calls no provider: token exchange, conversations. Reads no provider key. */
export const FUNCTIONS_SERVICE_ACCOUNT = 'colonycraft-functions@';

/** `chat`, `v1` and `listModels`, which serve any provider: may read every provider key. */
export const GATEWAY_SERVICE_ACCOUNT = 'colonycraft-gateway@';

/** The per-provider chat callables: each may read its own provider's key and no other. */
export const SERVICE_ACCOUNTS = {
  local: FUNCTIONS_SERVICE_ACCOUNT,
  openai: 'colonycraft-openai@',
  anthropic: 'colonycraft-anthropic@',
  compatible: 'colonycraft-compatible@',
} as const;
