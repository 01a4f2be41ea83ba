// What the registry knows of a provider before loading it: its id, the secret holding its key,
// and how to build it from the environment and that key. Building imports the provider's SDK,
// so it happens only when a call needs that provider.
import type { Provider } from './provider.js';

export interface ProviderEntry {
  id: string;
  displayName: string;
  /**
   * The secret holding the provider's key, read through the secret store (providers/
   * provider-keys.ts); only the functions that call this provider may read it.
   */
  secretName?: string;
  /** The provider, or undefined when it is not configured here (no key, switched off). */
  load(env: NodeJS.ProcessEnv, apiKey: string | undefined): Promise<Provider | undefined>;
}
