// Reasoning settings between the two ways providers take them: an effort (OpenAI's
// `reasoning_effort`) or a budget of thinking tokens (Anthropic's extended thinking). A request
// may give either; each adapter takes the one its provider speaks.
import type { ReasoningEffort, ReasoningSettings } from '@colonycraft/protocol';

/** Thinking tokens for an effort: Anthropic's minimum, then each step about four times more. */
const BUDGET_OF_EFFORT: Record<ReasoningEffort, number> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 24_576,
};

/** The effort a request asks for, or the nearest to its budget. */
export function effortOf(settings: ReasoningSettings): ReasoningEffort {
  if (settings.effort) return settings.effort;
  const budget = settings.budgetTokens ?? BUDGET_OF_EFFORT.medium;
  if (budget < 4096) return 'low';
  return budget < 16_384 ? 'medium' : 'high';
}

/** The thinking budget a request asks for, or the one for its effort. */
export function budgetOf(settings: ReasoningSettings): number {
  return settings.budgetTokens ?? BUDGET_OF_EFFORT[settings.effort ?? 'medium'];
}
