// The chat callables: one per provider, and `chat` for aliases across providers.
import { anthropicEntry } from '../providers/anthropic/entry.js';
import { localEntry } from '../providers/local/entry.js';
import { openaiEntry } from '../providers/openai/entry.js';
import { compatibleEntry } from '../providers/openai-compatible/entry.js';
import { PROVIDERS } from '../providers/registry.js';
import { chatCallable } from './chat-callable.js';

export const chatLocal = chatCallable([localEntry]);
export const chatOpenai = chatCallable([openaiEntry]);
export const chatAnthropic = chatCallable([anthropicEntry]);
export const chatCompatible = chatCallable([compatibleEntry]);
export const chat = chatCallable(PROVIDERS);
