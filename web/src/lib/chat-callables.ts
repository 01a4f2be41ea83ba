// Which callable serves a model: each provider in the provider table has its own (it binds
// only its own secret and loads only its own SDK), and `chat` serves aliases, which may fall
// back across providers.
import { PROVIDER_TABLE } from '@colonycraft/protocol';

const PROVIDER_CALLABLES: ReadonlyMap<string, string> = new Map(
  PROVIDER_TABLE.map((provider) => [provider.id, provider.callable]),
);

/** The callable that also serves every model and every alias. */
export const ANY_MODEL_CALLABLE = 'chat';

/**
 * `chatBy-openai` for `openai/gpt-4o`, `chat` for an alias such as `smart` or a provider this
 * build does not know.
 */
export function chatCallableFor(model: string): string {
  const slash = model.indexOf('/');
  if (slash <= 0) return ANY_MODEL_CALLABLE;
  return PROVIDER_CALLABLES.get(model.slice(0, slash)) ?? ANY_MODEL_CALLABLE;
}
