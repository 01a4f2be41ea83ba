// Every provider ColonyCraft knows. Adding one: a folder with its adapter and an `entry.ts`,
// and one line here.
import { anthropicEntry } from './anthropic/entry.js';
import { localEntry } from './local/entry.js';
import { openaiEntry } from './openai/entry.js';
import { compatibleEntry } from './openai-compatible/entry.js';
import type { ProviderEntry } from './registry-types.js';

export const PROVIDERS: readonly ProviderEntry[] = [
  localEntry,
  openaiEntry,
  anthropicEntry,
  compatibleEntry,
];

export function providerEntry(id: string): ProviderEntry | undefined {
  return PROVIDERS.find((entry) => entry.id === id);
}
