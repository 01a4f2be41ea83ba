// Every provider ColonyCraft knows: each row of the provider table (protocol's providers.ts)
// with the loader its folder's `entry.ts` exports. Adding a provider is a row and a folder; the
// compiler then asks for the folder's line here.
import { PROVIDER_TABLE, type KnownProviderId } from '@colonycraft/protocol';
import { anthropicEntry } from './anthropic/entry.js';
import { localEntry } from './local/entry.js';
import { openaiEntry } from './openai/entry.js';
import { compatibleEntry } from './openai-compatible/entry.js';
import type { ProviderEntry, ProviderLoader } from './registry-types.js';

const LOADERS: Readonly<Record<KnownProviderId, ProviderLoader>> = {
  local: localEntry,
  openai: openaiEntry,
  anthropic: anthropicEntry,
  compatible: compatibleEntry,
};

/** In the table's order, which is the catalog's. */
export const PROVIDERS: readonly ProviderEntry[] = PROVIDER_TABLE.map((info) => ({
  ...info,
  ...LOADERS[info.id],
}));

export function providerEntry(id: KnownProviderId): ProviderEntry {
  return PROVIDERS.find((entry) => entry.id === id)!;
}
