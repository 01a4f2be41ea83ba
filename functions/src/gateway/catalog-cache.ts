// One catalog per instance, rebuilt at most once a minute, so a changed key or model list
// takes effect without a redeploy while calls in between pay nothing to find their provider.
import type { ProviderEntry } from '../providers/registry-types.js';
import { loadCatalog, type Catalog } from './catalog.js';

const TTL_MS = 60_000;
const cache = new Map<string, { at: number; catalog: Promise<Catalog> }>();

export function catalogFor(
  entries: readonly ProviderEntry[],
  env: NodeJS.ProcessEnv = process.env,
  now: () => number = Date.now,
): Promise<Catalog> {
  const key = entries.map((e) => e.id).join(',');
  const hit = cache.get(key);
  if (hit && now() - hit.at < TTL_MS) return hit.catalog;
  const catalog = loadCatalog(entries, env);
  cache.set(key, { at: now(), catalog });
  catalog.catch(() => cache.delete(key));
  return catalog;
}

/** Forgets every cached catalog; for tests that change the environment. */
export function clearCatalogCache(): void {
  cache.clear();
}
