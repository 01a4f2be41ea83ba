// The unified stream as Anthropic's named stream events: `message_start`, then each content
// block's `content_block_start`, deltas and `content_block_stop`, then `message_delta` with the
// stop reason and usage, then `message_stop`. Blocks are numbered in order of appearance, and
// one is open at a time, as Anthropic streams them: a block ends when the next begins (OpenAI
// ends its tool calls only at the end of the answer), at its call's end, or at the finish. So
// a call cut inside its arguments, which is the last block, never gets its `content_block_stop`.
import type { ChatChunk, Usage } from '@colonycraft/protocol';
import { anthropicUsage, stopOf } from './anthropic-response.js';
import type { NamedEvent as SseEvent } from './sse-writer.js';

/** One of Anthropic's stream events: named by its `type`. */
export type NamedEvent = SseEvent<{ type: string } & Record<string, unknown>>;

const named = (data: NamedEvent['data']): NamedEvent => ({ event: data.type, data });

export class AnthropicEvents {
  private next = 0;
  /** The open block: text, thinking, or the tool call of that unified index. */
  private open: { index: number; type: 'text' | 'thinking' | number } | undefined;
  /** Each tool call's block, by the call's unified index. */
  private readonly calls = new Map<number, number>();
  private usage: Usage | undefined;

  constructor(
    private readonly id: string,
    /** The input tokens `message_start` says before the real count comes in `message_delta`. */
    private readonly estimatedInput: number,
  ) {}

  /** `message_start`, for the model that serves the call. */
  start(model: string): NamedEvent[] {
    return [
      named({
        type: 'message_start',
        message: {
          id: this.id,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: this.estimatedInput,
            output_tokens: 0,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
          },
        },
      }),
    ];
  }

  private openBlock(block: Record<string, unknown>): [number, NamedEvent] {
    const index = this.next;
    this.next += 1;
    return [index, named({ type: 'content_block_start', index, content_block: block })];
  }

  private closeOpen(): NamedEvent[] {
    if (!this.open) return [];
    const { index } = this.open;
    this.open = undefined;
    return [named({ type: 'content_block_stop', index })];
  }

  /** The text or thinking block to write into: the open one, or a new one. */
  private into(type: 'text' | 'thinking'): { index: number; events: NamedEvent[] } {
    if (this.open?.type === type) return { index: this.open.index, events: [] };
    const closed = this.closeOpen();
    const [index, started] = this.openBlock(
      type === 'text'
        ? { type: 'text', text: '' }
        : { type: 'thinking', thinking: '', signature: '' },
    );
    this.open = { index, type };
    return { index, events: [...closed, started] };
  }

  private delta(index: number, delta: Record<string, unknown>): NamedEvent {
    return named({ type: 'content_block_delta', index, delta });
  }

  /** The events one unified event becomes (usage is kept for `message_delta`; errors travel apart). */
  translate(event: ChatChunk): NamedEvent[] {
    switch (event.type) {
      case 'text-delta': {
        const { index, events } = this.into('text');
        return [...events, this.delta(index, { type: 'text_delta', text: event.text })];
      }
      case 'reasoning-delta': {
        const { index, events } = this.into('thinking');
        return [...events, this.delta(index, { type: 'thinking_delta', thinking: event.text })];
      }
      case 'reasoning-signature': {
        const { index, events } = this.into('thinking');
        return [
          ...events,
          this.delta(index, { type: 'signature_delta', signature: event.signature }),
        ];
      }
      case 'tool-call-start': {
        const closed = this.closeOpen();
        const [index, started] = this.openBlock({
          type: 'tool_use',
          id: event.id,
          name: event.name,
          input: {},
        });
        this.calls.set(event.index, index);
        this.open = { index, type: event.index };
        return [...closed, started];
      }
      case 'tool-call-delta': {
        const index = this.calls.get(event.index);
        if (index === undefined) return [];
        return [
          this.delta(index, { type: 'input_json_delta', partial_json: event.argumentsDelta }),
        ];
      }
      case 'tool-call-end':
        // Ended already when a later block began.
        return this.open?.type === event.index ? this.closeOpen() : [];
      case 'usage':
        this.usage = event.usage;
        return [];
      case 'finish': {
        // A cut call's block stays open: its arguments are incomplete.
        if (event.reason === 'cancelled' || event.reason === 'error') return [];
        // The SDK's MessageStream takes message_delta's counts as the message's totals.
        const usage = this.usage ?? { inputTokens: 0, outputTokens: 0, estimated: true };
        return [
          ...this.closeOpen(),
          named({
            type: 'message_delta',
            delta: stopOf(event.reason, event.stopSequence),
            usage: anthropicUsage(usage),
          }),
        ];
      }
      case 'error':
      case 'conversation':
        return [];
    }
  }
}
