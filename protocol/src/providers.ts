// The providers ColonyCraft knows, as one table that every part reads: the functions' registry,
// service accounts and chat callables, the web's choice of callable, and the admin API's base
// URLs and key checks. Adding a provider is a row here and a folder under
// functions/src/providers/ (docs/architecture.md, "Adding a provider"). No zod here: the web's
// first page imports this module.

/** How a provider is spoken to. A key check speaks it too: it lists the provider's models. */
export type WireFormat = 'openai' | 'anthropic' | 'local';
/** The wire formats of providers that take a key, for each of which the admin API can check one. */
export type KeyedWireFormat = Exclude<WireFormat, 'local'>;

/** A provider without a key (local): no secret, no base URL, no account of its own. */
interface KeylessRow {
  id: string;
  displayName: string;
  wire: WireFormat;
  secretName?: undefined;
  baseUrlVariable?: undefined;
  defaultBaseUrl?: undefined;
  serviceAccount?: undefined;
}

interface KeyedRow {
  id: string;
  displayName: string;
  wire: KeyedWireFormat;
  /** The Secret Manager secret (and local `.secret.local` name) holding the key. */
  secretName: string;
  /** The variable that points the provider elsewhere (a proxy, the test stub). */
  baseUrlVariable: string;
  /** Where the provider lives when that variable is unset; compatible has none of its own. */
  defaultBaseUrl: string | undefined;
  /**
   * The identity its callable runs as (`name@` is Firebase's short form of
   * name@PROJECT.iam.gserviceaccount.com), the one account besides the gateway's that may read
   * its key: docs/provider-keys.md has the bindings.
   */
  serviceAccount: string;
}

/**
 * Ids are lower-case letters and digits: they begin model ids (`openai/gpt-4o`), and Firebase
 * reads a hyphen in a function's name as a group separator, so `chatBy-my-provider` would not
 * be found. The order is the catalog's and the console's.
 */
const ROWS = [
  { id: 'local', displayName: 'Local', wire: 'local' },
  {
    id: 'openai',
    displayName: 'OpenAI',
    wire: 'openai',
    secretName: 'OPENAI_API_KEY',
    baseUrlVariable: 'OPENAI_BASE_URL',
    defaultBaseUrl: 'https://api.openai.com/v1',
    serviceAccount: 'colonycraft-openai@',
  },
  {
    id: 'anthropic',
    displayName: 'Anthropic',
    wire: 'anthropic',
    secretName: 'ANTHROPIC_API_KEY',
    baseUrlVariable: 'ANTHROPIC_BASE_URL',
    defaultBaseUrl: 'https://api.anthropic.com',
    serviceAccount: 'colonycraft-anthropic@',
  },
  {
    id: 'compatible',
    displayName: 'OpenAI-compatible',
    wire: 'openai',
    secretName: 'COMPATIBLE_API_KEY',
    baseUrlVariable: 'COMPATIBLE_BASE_URL',
    defaultBaseUrl: undefined,
    serviceAccount: 'colonycraft-compatible@',
  },
] as const satisfies readonly (KeylessRow | KeyedRow)[];

type Row = (typeof ROWS)[number];
/** Every provider in the table. */
export type KnownProviderId = Row['id'];
/** The providers that take a key (the admin API's `ProviderId`). */
export type KeyedProviderId = Extract<Row, { secretName: string }>['id'];
/** The base-URL variables, which the admin API's config reads. */
export type ProviderBaseUrlVariable = Extract<Row, { secretName: string }>['baseUrlVariable'];

/**
 * The chat callables are one Firebase function group (`export const chatBy = {…}`), so a row
 * is enough to deploy its callable: `chatBy-openai`.
 */
export const CHAT_CALLABLE_GROUP = 'chatBy';

export type ProviderInfo = (KeylessRow | KeyedRow) & {
  id: KnownProviderId;
  /** The chat callable that serves only this provider's models, as the client calls it. */
  callable: string;
};

export type ProviderKeyInfo = KeyedRow & {
  id: KeyedProviderId;
  baseUrlVariable: ProviderBaseUrlVariable;
  callable: string;
};

export const PROVIDER_TABLE: readonly ProviderInfo[] = ROWS.map((row) => ({
  ...row,
  callable: `${CHAT_CALLABLE_GROUP}-${row.id}`,
}));

function takesKey(info: ProviderInfo): info is ProviderKeyInfo {
  return info.secretName !== undefined;
}

/** The providers that take a key, as the admin API and its console list them. */
export const PROVIDER_KEYS: readonly ProviderKeyInfo[] = PROVIDER_TABLE.filter(takesKey);

export function providerInfo(id: KnownProviderId): ProviderInfo {
  return PROVIDER_TABLE.find((p) => p.id === id)!;
}

export function providerKeyInfo(id: KeyedProviderId): ProviderKeyInfo {
  return PROVIDER_KEYS.find((p) => p.id === id)!;
}
