// `listModels`: the configured providers' models and the aliases, for the model picker. It
// reads every provider's key only to learn which are configured; it never returns a key.
import { onCall } from 'firebase-functions/v2/https';
import { ListModelsRequest, describeIssues, type ListModelsResponse } from '@colonycraft/protocol';
import { authenticateClientToken } from '../auth/authenticate.js';
import { GatewayError, toHttpsError } from '../errors.js';
import { PROVIDERS } from '../providers/registry.js';
import { GATEWAY_SERVICE_ACCOUNT } from '../service-accounts.js';
import { catalogFor } from './catalog-cache.js';
import { describeCatalog } from './describe-catalog.js';

export const listModels = onCall(
  { serviceAccount: GATEWAY_SERVICE_ACCOUNT },
  async (request): Promise<ListModelsResponse> => {
    try {
      const parsed = ListModelsRequest.safeParse(request.data);
      if (!parsed.success) throw new GatewayError('invalid-argument', describeIssues(parsed.error));
      const claims = await authenticateClientToken(parsed.data.clientToken);
      return describeCatalog(await catalogFor(PROVIDERS), PROVIDERS, claims);
    } catch (error) {
      throw toHttpsError(error);
    }
  },
);
