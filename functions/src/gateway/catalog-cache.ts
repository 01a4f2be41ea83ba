// One catalog per instance, rebuilt at least once a minute, so a rotated key or a changed model
// list takes effect without a redeploy while calls in between pay nothing to find their
// provider. CATALOG_TTL_MS shortens the minute (tests); it cannot lengthen it.
import type { ProviderEntry } from '../providers/registry-types.js';
import { loadCatalog, type Catalog } from './catalog.js';

const MAX_TTL_MS = 60_000;
const cache = new Map<string, { at: number; catalog: Promise<Catalog> }>();

function ttlMs(env: NodeJS.ProcessEnv): number {
  const set = Number(env.CATALOG_TTL_MS);
  return Number.isFinite(set) && set >= 0 ? Math.min(set, MAX_TTL_MS) : MAX_TTL_MS;
}

export function catalogFor(
  entries: readonly ProviderEntry[],
  env: NodeJS.ProcessEnv = process.env,
  now: () => number = Date.now,
): Promise<Catalog> {
  const key = entries.map((e) => e.id).join(',');
  const hit = cache.get(key);
  if (hit && now() - hit.at < ttlMs(env)) return hit.catalog;
  const catalog = loadCatalog(entries, env);
  cache.set(key, { at: now(), catalog });
  catalog.catch(() => cache.delete(key));
  return catalog;
}

/** Forgets every cached catalog; for tests that change the environment. */
export function clearCatalogCache(): void {
  cache.clear();
}
