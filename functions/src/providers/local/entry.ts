// How the keyless local model is built: on in the emulator, or where LOCAL_PROVIDER is
// `enabled`.
import type { ProviderLoader } from '../registry-types.js';

export const localEntry: ProviderLoader = {
  async load(env) {
    if (env.FUNCTIONS_EMULATOR !== 'true' && env.LOCAL_PROVIDER !== 'enabled') return undefined;
    const { createLocalProvider } = await import('./local-provider.js');
    return createLocalProvider({ chunkDelayMs: Number(env.LOCAL_PROVIDER_CHUNK_DELAY_MS ?? 40) });
  },
};
