// Which models may answer a call: the one it names, or an alias's chain, as far as the caller's
// token allows it and each model can do what the request needs.
import type { Capability, ClientTokenClaims } from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';
import { catalogFor } from '../gateway/catalog-cache.js';
import { resolveTargets, type Catalog } from '../gateway/catalog.js';
import type { Target } from '../gateway/execute.js';
import type { ProviderEntry } from '../providers/registry-types.js';

/** An embeddings model does nothing else; every other model chats. */
function can({ info: { capabilities } }: Target, capability: Capability | 'chat'): boolean {
  return capability === 'chat'
    ? !capabilities.includes('embeddings')
    : capabilities.includes(capability);
}

function mayUse(claims: ClientTokenClaims, model: string): boolean {
  return claims.models.includes('*') || claims.models.includes(model);
}

/**
 * The targets able to answer: for an alias, those that lack a capability the request needs are
 * left out; when none is left, the request is refused naming the capability and the model.
 */
export async function targetsFor(
  claims: ClientTokenClaims,
  requested: string,
  needed: readonly (Capability | 'chat')[],
  entries: readonly ProviderEntry[],
): Promise<{ catalog: Catalog; targets: Target[] }> {
  if (!mayUse(claims, requested)) {
    throw new GatewayError('permission-denied', `model: your token does not allow "${requested}"`);
  }
  const catalog = await catalogFor(entries);
  const targets = resolveTargets(catalog, requested);
  const lacks = (target: Target) => needed.find((c) => !can(target, c));
  const capable = targets.filter((target) => !lacks(target));
  if (capable.length > 0) return { catalog, targets: capable };
  const first = targets[0]!;
  const others = targets.length > 1 ? `, nor does any other model behind "${requested}"` : '';
  throw new GatewayError(
    'invalid-argument',
    `model: "${first.id}" does not support ${lacks(first)}${others}`,
  );
}
