// The functions' entry point: global options and one export per function (or function group:
// `chatBy` holds one callable per provider). Each function lives in its own module so an
// instance loads only what its function needs.
import { setGlobalOptions } from 'firebase-functions/v2';
import { FUNCTIONS_SERVICE_ACCOUNT } from './service-accounts.js';

setGlobalOptions({
  region: 'us-central1',
  maxInstances: 100,
  serviceAccount: FUNCTIONS_SERVICE_ACCOUNT,
});

export { exchangeToken } from './callables/exchange-token.js';
export { exchangeApiKey } from './v1/exchange-api-key.js';
export { revokeClientToken, revokeUserTokens } from './callables/revoke-tokens.js';
export { chat, chatBy } from './callables/chat.js';
export { listModels } from './callables/list-models.js';
export { getSettings, saveSettings } from './callables/settings.js';
export { searchConversations } from './callables/search.js';
export { createShare, getSharedConversation, listShares, revokeShare } from './callables/shares.js';
export { v1 } from './v1/v1.js';
export { drainUsageLedger } from './usage/drain-usage-ledger.js';
export {
  deleteConversation,
  deleteTurn,
  getConversation,
  listConversations,
  renameConversation,
  selectBranch,
} from './callables/conversations.js';
