// `listModels`: the configured providers' models and the aliases, for the model picker. It
// reads every provider's key only to learn which are configured; it never returns a key.
import { ListModelsRequest, type ListModelsResponse } from '@colonycraft/protocol';
import { catalogFor } from '../gateway/catalog-cache.js';
import { describeCatalog } from '../gateway/describe-catalog.js';
import { PROVIDERS } from '../providers/registry.js';
import { GATEWAY_SERVICE_ACCOUNT } from '../service-accounts.js';
import { defineCallable, member } from './define-callable.js';

export const listModels = defineCallable({
  options: { serviceAccount: GATEWAY_SERVICE_ACCOUNT },
  caller: member,
  input: ListModelsRequest,
  handle: async (_input, { caller }): Promise<ListModelsResponse> =>
    describeCatalog(await catalogFor(PROVIDERS), PROVIDERS, caller),
});
