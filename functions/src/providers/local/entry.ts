// Registry entry of the keyless local model: on in the emulator, or where LOCAL_PROVIDER is
// `enabled`.
import type { ProviderEntry } from '../registry-types.js';

export const localEntry: ProviderEntry = {
  id: 'local',
  displayName: 'Local',
  async load(env) {
    if (env.FUNCTIONS_EMULATOR !== 'true' && env.LOCAL_PROVIDER !== 'enabled') return undefined;
    const { createLocalProvider } = await import('./local-provider.js');
    return createLocalProvider({ chunkDelayMs: Number(env.LOCAL_PROVIDER_CHUNK_DELAY_MS ?? 40) });
  },
};
