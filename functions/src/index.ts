// The functions' entry point: global options and one export per function. Each function lives
// in its own module so an instance loads only what its function needs.
import { setGlobalOptions } from 'firebase-functions/v2';

setGlobalOptions({ region: 'us-central1', maxInstances: 100 });

export { exchangeToken } from './auth/exchange-token.js';
export { chatLocal } from './chat/chat-local.js';
