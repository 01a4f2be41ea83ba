// What the registry knows of a provider before loading it: its id, its secret, and how to
// build it from the environment. Building imports the provider's SDK, so it happens only
// when a call needs that provider.
import type { SecretParam } from 'firebase-functions/params';
import type { Provider } from './provider.js';

export interface ProviderEntry {
  id: string;
  displayName: string;
  /** The secret holding the provider's key; bound only to the functions that call it. */
  secret?: SecretParam;
  /** The provider, or undefined when it is not configured here (no key, switched off). */
  load(env: NodeJS.ProcessEnv): Promise<Provider | undefined>;
}
