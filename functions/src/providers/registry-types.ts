// What the registry knows of a provider before loading it: its row of the provider table
// (protocol's providers.ts: id, display name, the secret holding its key, …) and how to build
// it from the environment and that key. Building imports the provider's SDK, so it happens only
// when a call needs that provider.
import type { ProviderInfo } from '@colonycraft/protocol';
import type { Provider } from './provider.js';

/** What a provider's folder adds to its table row: its `entry.ts` exports one. */
export interface ProviderLoader {
  /**
   * The provider, or undefined when it is not configured here (no key, switched off). The key
   * is read from the row's secret through the secret store (providers/provider-keys.ts); only
   * the functions that call this provider may read it.
   */
  load(env: NodeJS.ProcessEnv, apiKey: string | undefined): Promise<Provider | undefined>;
}

export type ProviderEntry = ProviderInfo & ProviderLoader;
