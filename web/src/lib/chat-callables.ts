// Which callable serves a model: each provider has its own (it binds only its own secret and
// loads only its own SDK), and `chat` serves aliases, which may fall back across providers.

const PROVIDER_CALLABLES: Readonly<Record<string, string>> = {
  local: 'chatLocal',
  openai: 'chatOpenai',
  anthropic: 'chatAnthropic',
  compatible: 'chatCompatible',
};

/** The callable that also serves every model and every alias. */
export const ANY_MODEL_CALLABLE = 'chat';

/** `chatOpenai` for `openai/gpt-4o`, `chat` for an alias such as `smart` or an unknown provider. */
export function chatCallableFor(model: string): string {
  const slash = model.indexOf('/');
  if (slash <= 0) return ANY_MODEL_CALLABLE;
  return PROVIDER_CALLABLES[model.slice(0, slash)] ?? ANY_MODEL_CALLABLE;
}
