// The local provider: the cases of the provider contract that need no upstream (a complete
// answer, an abort), then its own limit. It has no HTTP upstream, so the stub's faults (cuts,
// refusals, timeouts, missing usage, malformed chunks) have nothing to act on.
import { describe, expect, it } from 'vitest';
import { CONTRACT_REQUEST, providerContract, runProvider } from '../dev/provider-contract.js';
import { countLocalTokens, createLocalProvider, localReply } from './local-provider.js';

// Words: 3 + 4 in; the reply is 11.
const INPUT_TOKENS = 7;

providerContract({
  standalone: () => createLocalProvider({ chunkDelayMs: 5 }),
  answer: {
    text: localReply(CONTRACT_REQUEST),
    usage: { inputTokens: INPUT_TOKENS, outputTokens: 11, estimated: false },
  },
  // The local model counts exactly, whatever was sent.
  usageSoFar: (text) => ({
    inputTokens: INPUT_TOKENS,
    outputTokens: countLocalTokens(text),
    estimated: false,
  }),
});

describe('local provider', () => {
  it('when max tokens is lower than the reply, then it stops there with reason length', async () => {
    const provider = createLocalProvider({ chunkDelayMs: 0 });
    const { text, last } = await runProvider(provider, { ...CONTRACT_REQUEST, maxTokens: 3 });

    expect(text).toBe("Hello from ColonyCraft's ");
    expect(last).toEqual({ type: 'finish', reason: 'length' });
  });
});
