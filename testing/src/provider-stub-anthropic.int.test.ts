// The provider stub as the real `@anthropic-ai/sdk` sees it: messages, named-event streams, usage,
// limits and every fault kind, observed through the SDK's own results and errors.
import Anthropic, {
  APIError,
  AuthenticationError,
  BadRequestError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  countStubTokens,
  startProviderStub,
  STUB_ANTHROPIC_MODELS,
  stubReply,
  type ProviderStub,
} from './provider-stub.js';

const KEY = 'sk-ant-stub-test-key';
const QUESTION = 'Name three primary colours.';
const SYSTEM = 'You are terse.';
const REPLY = stubReply(QUESTION);
const INPUT_TOKENS = countStubTokens(`${SYSTEM}\n${QUESTION}`);
const OUTPUT_TOKENS = countStubTokens(REPLY);
const base = {
  model: 'claude-stub',
  max_tokens: 256,
  system: SYSTEM,
  messages: [{ role: 'user', content: QUESTION }] satisfies Anthropic.MessageParam[],
};

let stub: ProviderStub;
let client: Anthropic;

beforeAll(async () => {
  stub = await startProviderStub({ apiKey: KEY });
  client = new Anthropic({ apiKey: KEY, baseURL: stub.anthropicBaseURL, maxRetries: 0 });
});
afterAll(() => stub.close());
beforeEach(() => stub.reset());

/** Resolves to what the promise rejected with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/** Reads a raw event stream to its end, keeping the events, the text and the error, if any. */
async function drain(stream: AsyncIterable<Anthropic.RawMessageStreamEvent>) {
  const events: Anthropic.RawMessageStreamEvent[] = [];
  let error: unknown;
  try {
    for await (const event of stream) events.push(event);
  } catch (caught) {
    error = caught;
  }
  const text = events
    .map((e) =>
      e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? e.delta.text : '',
    )
    .join('');
  return { events, text, error };
}

const stream = (
  extra: Partial<Anthropic.MessageCreateParamsStreaming> = {},
  signal?: AbortSignal,
) => client.messages.create({ ...base, stream: true, ...extra }, signal ? { signal } : undefined);

describe('anthropic SDK against the provider stub', () => {
  describe('when a message is created without streaming', () => {
    it('then it returns the stub reply, stop_reason end_turn and exact usage', async () => {
      const message = await client.messages.create(base);

      expect(message).toMatchObject({
        type: 'message',
        role: 'assistant',
        model: 'claude-stub',
        content: [{ type: 'text', text: REPLY }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: INPUT_TOKENS, output_tokens: OUTPUT_TOKENS },
      });
    });

    it('then the stub records the key, the top-level system and the params', async () => {
      await client.messages.create(base);

      const [request] = stub.requests;
      expect(request).toMatchObject({
        method: 'POST',
        path: '/v1/messages',
        provider: 'anthropic',
        status: 200,
      });
      // SDK v1 sends `apiKey` as a Bearer token; the real API's x-api-key header works too.
      expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(request?.headers['anthropic-version']).toEqual(expect.any(String));
      expect(request?.body).toEqual(base);
    });
  });

  describe('when a message is streamed with stream: true', () => {
    it('then the named events come in order with the text word by word and the usage', async () => {
      const { events, text, error } = await drain(await stream());

      expect(error).toBeUndefined();
      expect(text).toBe(REPLY);
      const types = events.map((e) => e.type);
      expect(types).toEqual([
        'message_start',
        'content_block_start',
        ...Array<string>(OUTPUT_TOKENS).fill('content_block_delta'),
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]);
      const start = events[0] as Anthropic.RawMessageStartEvent;
      expect(start.message.usage.input_tokens).toBe(INPUT_TOKENS);
      const delta = events.at(-2) as Anthropic.RawMessageDeltaEvent;
      expect(delta.delta.stop_reason).toBe('end_turn');
      expect(delta.usage.output_tokens).toBe(OUTPUT_TOKENS);
      expect(stub.requests[0]).toMatchObject({ stream: true, finished: true });
    });
  });

  describe('when the messages.stream helper is used', () => {
    it('then its final message holds the whole text and the usage', async () => {
      const message = await client.messages.stream(base).finalMessage();

      expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: REPLY })]);
      expect(message.stop_reason).toBe('end_turn');
      expect(message.usage).toMatchObject({
        input_tokens: INPUT_TOKENS,
        output_tokens: OUTPUT_TOKENS,
      });
    });
  });

  describe('when max_tokens is 3', () => {
    it('then the reply is cut to three words with stop_reason max_tokens', async () => {
      const message = await client.messages.create({ ...base, max_tokens: 3 });

      expect(message.content).toEqual([{ type: 'text', text: 'Hello from the' }]);
      expect(message.stop_reason).toBe('max_tokens');
      expect(message.usage.output_tokens).toBe(3);
    });

    it('then a stream ends with stop_reason max_tokens after three words', async () => {
      const { events, text } = await drain(await stream({ max_tokens: 3 }));

      expect(text).toBe('Hello from the');
      const delta = events.find((e) => e.type === 'message_delta');
      expect(delta?.delta.stop_reason).toBe('max_tokens');
    });
  });

  describe('when a stop sequence occurs in the reply', () => {
    it('then the reply ends just before it with stop_reason stop_sequence', async () => {
      const message = await client.messages.create({ ...base, stop_sequences: ['You said'] });

      expect(message.content).toEqual([{ type: 'text', text: 'Hello from the stub. ' }]);
      expect(message.stop_reason).toBe('stop_sequence');
      expect(message.stop_sequence).toBe('You said');
    });
  });

  describe('when a system message is sent as a message role', () => {
    it('then the SDK throws a BadRequestError, as the real API does', async () => {
      const messages = [{ role: 'system', content: 'x' }] as unknown as Anthropic.MessageParam[];
      const error = await rejection(client.messages.create({ ...base, messages }));

      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).type).toBe('invalid_request_error');
    });
  });

  describe('when the models are listed', () => {
    it('then the stub models come back', async () => {
      const ids: string[] = [];
      for await (const model of client.models.list()) ids.push(model.id);

      expect(ids).toEqual([...STUB_ANTHROPIC_MODELS]);
    });
  });

  describe('when the key is wrong', () => {
    it('then the SDK throws an AuthenticationError with status 401', async () => {
      const wrong = new Anthropic({
        apiKey: 'sk-ant-wrong',
        baseURL: stub.anthropicBaseURL,
        maxRetries: 0,
      });
      const error = await rejection(wrong.messages.create(base));

      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).status).toBe(401);
      expect((error as AuthenticationError).type).toBe('authentication_error');
    });
  });

  describe('when a 429 with retry-after is scripted', () => {
    it('then the SDK throws a RateLimitError whose headers carry retry-after', async () => {
      stub.script({ kind: 'status', status: 429, retryAfter: 12, message: 'too many' });
      const error = await rejection(client.messages.create(base));

      expect(error).toBeInstanceOf(RateLimitError);
      const apiError = error as RateLimitError;
      expect(apiError.status).toBe(429);
      expect(apiError.headers.get('retry-after')).toBe('12');
      expect(apiError.type).toBe('rate_limit_error');
      expect(apiError.message).toContain('too many');
    });
  });

  describe('when a 529 is scripted for a stream', () => {
    it('then creating the stream throws an APIError with status 529 and overloaded_error', async () => {
      stub.script({ kind: 'status', status: 529 });
      const error = await rejection(stream());

      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).status).toBe(529);
      expect((error as APIError).type).toBe('overloaded_error');
    });
  });

  describe('when maxRetries is 1 and a 429 with a short retry-after is scripted', () => {
    it('then the SDK waits that long, retries and succeeds', async () => {
      const retrying = new Anthropic({
        apiKey: KEY,
        baseURL: stub.anthropicBaseURL,
        maxRetries: 1,
      });
      // This SDK treats retry-after 0 as "use the default backoff", so use 50 ms.
      stub.script({ kind: 'status', status: 429, retryAfter: 0.05 });
      const message = await retrying.messages.create(base);

      expect(message.content).toEqual([{ type: 'text', text: REPLY }]);
      expect(stub.requests.map((r) => r.status)).toEqual([429, 200]);
    });
  });

  describe('when latency is scripted', () => {
    it('then the answer comes no sooner than the delay, intact', async () => {
      stub.script({ kind: 'latency', ms: 120 });
      const started = Date.now();
      const message = await client.messages.create(base);

      expect(Date.now() - started).toBeGreaterThanOrEqual(110);
      expect(message.content).toEqual([{ type: 'text', text: REPLY }]);
    });
  });

  describe('when a chunk delay is scripted', () => {
    it('then the first text delta waits for the delay and the text is intact', async () => {
      stub.script({ kind: 'chunk-delay', ms: 25 });
      const started = Date.now();
      let firstTextAt = 0;
      let text = '';
      for await (const event of await stream()) {
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
          firstTextAt ||= Date.now();
          text += event.delta.text;
        }
      }

      expect(firstTextAt - started).toBeGreaterThanOrEqual(20);
      expect(text).toBe(REPLY);
    });
  });

  describe('when the stream is cut after 2 chunks', () => {
    it("then the anthropic SDK's iterator throws after two words", async () => {
      stub.script({ kind: 'cut', afterChunks: 2 });
      const { events, text, error } = await drain(await stream());

      expect(error).toBeInstanceOf(Error);
      expect(text).toBe('Hello from');
      expect(events.some((e) => e.type === 'message_stop')).toBe(false);
      expect(stub.requests[0]).toMatchObject({ aborted: false, finished: false });
    });
  });

  describe('when an error event arrives after 2 chunks', () => {
    it('then the iterator throws an APIError of type overloaded_error', async () => {
      stub.script({ kind: 'error-event', afterChunks: 2 });
      const { text, error } = await drain(await stream());

      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).type).toBe('overloaded_error');
      expect(text).toBe('Hello from');
    });
  });

  describe('when a malformed line arrives after 1 chunk', () => {
    it('then the iterator throws a SyntaxError', async () => {
      // The SDK logs the bad line before throwing; keep the test output quiet.
      const quiet = new Anthropic({
        apiKey: KEY,
        baseURL: stub.anthropicBaseURL,
        maxRetries: 0,
        logLevel: 'off',
      });
      stub.script({ kind: 'malformed', afterChunks: 1 });
      const { text, error } = await drain(await quiet.messages.create({ ...base, stream: true }));

      expect(error).toBeInstanceOf(SyntaxError);
      expect(text).toBe('Hello');
    });
  });

  describe('when keep-alive comments are interleaved', () => {
    it('then the SDK ignores them and the text and usage are intact', async () => {
      stub.script({ kind: 'keep-alive' });
      const { events, text, error } = await drain(await stream());

      expect(error).toBeUndefined();
      expect(text).toBe(REPLY);
      const delta = events.find((e) => e.type === 'message_delta');
      expect(delta?.usage.output_tokens).toBe(OUTPUT_TOKENS);
    });
  });

  describe('when no-usage is scripted', () => {
    it('then a plain message has no usage', async () => {
      stub.script({ kind: 'no-usage' });
      const message = await client.messages.create(base);

      expect(message.content).toEqual([{ type: 'text', text: REPLY }]);
      expect(message.usage).toBeUndefined();
    });

    it('then no stream event carries usage', async () => {
      stub.script({ kind: 'no-usage' });
      const { events, text } = await drain(await stream());

      expect(text).toBe(REPLY);
      const start = events.find((e) => e.type === 'message_start');
      expect(start?.message.usage).toBeUndefined();
      const delta = events.find((e) => e.type === 'message_delta');
      expect(delta?.usage).toBeUndefined();
    });
  });

  describe('when the client aborts the stream with an AbortController', () => {
    it('then the stub records the request as aborted', async () => {
      stub.script({ kind: 'chunk-delay', ms: 50 });
      const controller = new AbortController();
      let text = '';
      try {
        for await (const event of await stream({}, controller.signal)) {
          if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
            text += event.delta.text;
            controller.abort();
          }
        }
      } catch {
        // Depending on timing the SDK ends quietly or throws an abort error; both are fine.
      }

      expect(text).toBe('Hello');
      await vi.waitFor(() => expect(stub.requests[0]?.aborted).toBe(true));
      expect(stub.requests[0]?.finished).toBe(false);
    });
  });
});
