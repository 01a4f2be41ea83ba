// The catalog as a client may see it: only the models (and aliases) its token allows.
import type { ClientTokenClaims, ListModelsResponse } from '@colonycraft/protocol';
import type { ProviderEntry } from '../providers/registry-types.js';
import type { Catalog } from './catalog.js';

export function describeCatalog(
  catalog: Catalog,
  entries: readonly ProviderEntry[],
  claims: Pick<ClientTokenClaims, 'models'>,
): ListModelsResponse {
  const allowed = (id: string): boolean =>
    claims.models.includes('*') || claims.models.includes(id);
  const names = new Map<string, string>(entries.map((e) => [e.id, e.displayName]));
  const models = [...catalog.models.values()]
    .filter((m) => allowed(m.id))
    .map((m) => {
      const provider = m.id.slice(0, m.id.indexOf('/'));
      return {
        ...m,
        capabilities: [...m.capabilities],
        provider,
        providerName: names.get(provider) ?? provider,
      };
    });
  const aliases = [...catalog.aliases.entries()]
    .filter(([id]) => allowed(id))
    .map(([id, targets]) => ({ id, targets: targets.filter((t) => catalog.models.has(t)) }))
    .filter((alias) => alias.targets.length > 0);
  return { models, aliases };
}
