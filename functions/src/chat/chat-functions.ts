// The chat callables: one per provider, and `chat` for aliases across providers.
import { anthropicEntry } from '../providers/anthropic/entry.js';
import { localEntry } from '../providers/local/entry.js';
import { openaiEntry } from '../providers/openai/entry.js';
import { compatibleEntry } from '../providers/openai-compatible/entry.js';
import { PROVIDERS } from '../providers/registry.js';
import { GATEWAY_SERVICE_ACCOUNT, SERVICE_ACCOUNTS } from '../service-accounts.js';
import { chatCallable } from './chat-callable.js';

export const chatLocal = chatCallable([localEntry], SERVICE_ACCOUNTS.local);
export const chatOpenai = chatCallable([openaiEntry], SERVICE_ACCOUNTS.openai);
export const chatAnthropic = chatCallable([anthropicEntry], SERVICE_ACCOUNTS.anthropic);
export const chatCompatible = chatCallable([compatibleEntry], SERVICE_ACCOUNTS.compatible);
export const chat = chatCallable(PROVIDERS, GATEWAY_SERVICE_ACCOUNT);
