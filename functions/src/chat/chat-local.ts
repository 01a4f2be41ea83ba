// `chatLocal`: the keyless local model, for development and tests.
import { GatewayError } from '../errors.js';
import { LOCAL_PROVIDER_CHUNK_DELAY_MS, localProviderEnabled } from '../params.js';
import { chatCallable } from './chat-callable.js';

export const chatLocal = chatCallable({
  providerId: 'local',
  provider: async () => {
    if (!localProviderEnabled()) {
      throw new GatewayError('not-found', 'The local provider is not enabled here.');
    }
    const { createLocalProvider } = await import('../providers/local/local-provider.js');
    return createLocalProvider({ chunkDelayMs: LOCAL_PROVIDER_CHUNK_DELAY_MS.value() });
  },
});
