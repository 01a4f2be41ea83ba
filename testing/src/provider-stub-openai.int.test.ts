// The provider stub as the real `openai` SDK sees it: replies, streams, usage, limits and every
// fault kind, observed through the SDK's own results and errors.
import OpenAI, { APIError, AuthenticationError, RateLimitError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  countStubTokens,
  startProviderStub,
  STUB_OPENAI_MODELS,
  stubReply,
  type ProviderStub,
} from './provider-stub.js';

const KEY = 'sk-stub-openai-test-key';
const QUESTION = 'What is two plus two?';
const SYSTEM = 'Answer briefly.';
const REPLY = stubReply(QUESTION);
const PROMPT_TOKENS = countStubTokens(`${SYSTEM}\n${QUESTION}`);
const COMPLETION_TOKENS = countStubTokens(REPLY);
const messages: OpenAI.ChatCompletionMessageParam[] = [
  { role: 'system', content: SYSTEM },
  { role: 'user', content: QUESTION },
];

let stub: ProviderStub;
let client: OpenAI;

beforeAll(async () => {
  stub = await startProviderStub({ apiKey: KEY });
  client = new OpenAI({ apiKey: KEY, baseURL: stub.openaiBaseURL, maxRetries: 0 });
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

/** Reads a stream to its end, keeping the text, the chunks and the error it threw, if any. */
async function drain(stream: AsyncIterable<OpenAI.ChatCompletionChunk>) {
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  let error: unknown;
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (caught) {
    error = caught;
  }
  const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
  return { chunks, text, error };
}

const stream = (
  extra: Partial<OpenAI.ChatCompletionCreateParamsStreaming> = {},
  signal?: AbortSignal,
) =>
  client.chat.completions.create(
    { model: 'gpt-stub', messages, stream: true, ...extra },
    signal ? { signal } : undefined,
  );

describe('openai SDK against the provider stub', () => {
  describe('when a chat completion is created without streaming', () => {
    it('then it returns the stub reply, finish_reason stop and exact usage', async () => {
      const completion = await client.chat.completions.create({ model: 'gpt-stub', messages });

      expect(completion.object).toBe('chat.completion');
      expect(completion.model).toBe('gpt-stub');
      expect(completion.choices[0]?.message).toMatchObject({ role: 'assistant', content: REPLY });
      expect(completion.choices[0]?.finish_reason).toBe('stop');
      expect(completion.usage).toEqual({
        prompt_tokens: PROMPT_TOKENS,
        completion_tokens: COMPLETION_TOKENS,
        total_tokens: PROMPT_TOKENS + COMPLETION_TOKENS,
      });
    });

    it('then the stub records the Bearer key, the path and the params', async () => {
      await client.chat.completions.create({ model: 'gpt-stub', messages, temperature: 0.2 });

      expect(stub.requests).toHaveLength(1);
      const [request] = stub.requests;
      expect(request).toMatchObject({
        method: 'POST',
        path: '/v1/chat/completions',
        provider: 'openai',
        stream: false,
        status: 200,
        finished: true,
        aborted: false,
      });
      expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(request?.body).toMatchObject({ model: 'gpt-stub', messages, temperature: 0.2 });
    });
  });

  describe('when streaming with stream_options.include_usage', () => {
    it('then the text arrives word by word, the last choice says stop and a usage chunk follows', async () => {
      const { chunks, text, error } = await drain(
        await stream({ stream_options: { include_usage: true } }),
      );

      expect(error).toBeUndefined();
      expect(text).toBe(REPLY);
      expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
      const contentChunks = chunks.filter((c) => c.choices[0]?.delta.content);
      expect(contentChunks).toHaveLength(COMPLETION_TOKENS);
      expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
      expect(chunks.at(-1)?.choices).toEqual([]);
      expect(chunks.at(-1)?.usage).toEqual({
        prompt_tokens: PROMPT_TOKENS,
        completion_tokens: COMPLETION_TOKENS,
        total_tokens: PROMPT_TOKENS + COMPLETION_TOKENS,
      });
      expect(stub.requests[0]).toMatchObject({ stream: true, finished: true });
    });
  });

  describe('when streaming without include_usage', () => {
    it('then no chunk carries usage and the last chunk holds the finish_reason', async () => {
      const { chunks, text } = await drain(await stream());

      expect(text).toBe(REPLY);
      expect(chunks.every((c) => c.usage == null)).toBe(true);
      expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    });
  });

  describe('when max_tokens is 3', () => {
    it('then the reply is cut to three words with finish_reason length', async () => {
      const completion = await client.chat.completions.create({
        model: 'gpt-stub',
        messages,
        max_tokens: 3,
      });

      expect(completion.choices[0]?.message.content).toBe('Hello from the');
      expect(completion.choices[0]?.finish_reason).toBe('length');
      expect(completion.usage?.completion_tokens).toBe(3);
    });
  });

  describe('when max_completion_tokens is 2 on a stream', () => {
    it('then two words stream and the finish_reason is length', async () => {
      const { chunks, text } = await drain(await stream({ max_completion_tokens: 2 }));

      expect(text).toBe('Hello from');
      expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('length');
    });
  });

  describe('when a stop sequence occurs in the reply', () => {
    it('then the reply ends just before it with finish_reason stop', async () => {
      const completion = await client.chat.completions.create({
        model: 'gpt-stub',
        messages,
        stop: ['You said', 'never there'],
      });

      expect(completion.choices[0]?.message.content).toBe('Hello from the stub. ');
      expect(completion.choices[0]?.finish_reason).toBe('stop');
    });
  });

  describe('when the models are listed', () => {
    it('then the stub models come back', async () => {
      const ids: string[] = [];
      for await (const model of client.models.list()) ids.push(model.id);

      expect(ids).toEqual([...STUB_OPENAI_MODELS]);
    });
  });

  describe('when the key is wrong', () => {
    it('then the SDK throws an AuthenticationError with status 401', async () => {
      const wrong = new OpenAI({ apiKey: 'sk-wrong', baseURL: stub.openaiBaseURL, maxRetries: 0 });
      const error = await rejection(wrong.chat.completions.create({ model: 'gpt-stub', messages }));

      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).status).toBe(401);
      expect((error as AuthenticationError).code).toBe('invalid_api_key');
    });
  });

  describe('when a 429 with retry-after is scripted', () => {
    it('then the SDK throws a RateLimitError whose headers carry retry-after', async () => {
      stub.script({ kind: 'status', status: 429, retryAfter: 7, message: 'slow down' });
      const error = await rejection(
        client.chat.completions.create({ model: 'gpt-stub', messages }),
      );

      expect(error).toBeInstanceOf(RateLimitError);
      const apiError = error as RateLimitError;
      expect(apiError.status).toBe(429);
      expect(apiError.headers.get('retry-after')).toBe('7');
      expect(apiError.message).toContain('slow down');
      expect(apiError.code).toBe('rate_limit_exceeded');
    });
  });

  describe('when a 503 is scripted for a stream', () => {
    it('then creating the stream throws an APIError with status 503', async () => {
      stub.script({ kind: 'status', status: 503 });
      const error = await rejection(stream());

      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).status).toBe(503);
      expect((error as APIError).type).toBe('server_error');
    });
  });

  describe('when the fault comes in the x-stub-fault header', () => {
    it('then the SDK sees that status', async () => {
      const fault = JSON.stringify({ kind: 'status', status: 500, message: 'header fault' });
      const error = await rejection(
        client.chat.completions.create(
          { model: 'gpt-stub', messages },
          { headers: { 'x-stub-fault': fault } },
        ),
      );

      expect((error as APIError).status).toBe(500);
      expect((error as APIError).message).toContain('header fault');
    });
  });

  describe('when maxRetries is 1 and a 429 with retryAfter 0 is scripted', () => {
    it('then the SDK retries at once and succeeds', async () => {
      const retrying = new OpenAI({ apiKey: KEY, baseURL: stub.openaiBaseURL, maxRetries: 1 });
      stub.script({ kind: 'status', status: 429, retryAfter: 0 });
      const completion = await retrying.chat.completions.create({ model: 'gpt-stub', messages });

      expect(completion.choices[0]?.message.content).toBe(REPLY);
      expect(stub.requests.map((r) => r.status)).toEqual([429, 200]);
    });
  });

  describe('when latency is scripted', () => {
    it('then the answer comes no sooner than the delay, intact', async () => {
      stub.script({ kind: 'latency', ms: 150 });
      const started = Date.now();
      const completion = await client.chat.completions.create({ model: 'gpt-stub', messages });

      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      expect(completion.choices[0]?.message.content).toBe(REPLY);
    });
  });

  describe('when a chunk delay is scripted', () => {
    it('then the first content chunk waits for the delay and the text is intact', async () => {
      stub.script({ kind: 'chunk-delay', ms: 25 });
      const started = Date.now();
      let firstContentAt = 0;
      let text = '';
      for await (const chunk of await stream()) {
        const content = chunk.choices[0]?.delta.content;
        if (content && !firstContentAt) firstContentAt = Date.now();
        text += content ?? '';
      }

      expect(firstContentAt - started).toBeGreaterThanOrEqual(20);
      expect(text).toBe(REPLY);
    });
  });

  describe('when the stream is cut after 2 chunks', () => {
    it("then the openai SDK's iterator throws after two words", async () => {
      stub.script({ kind: 'cut', afterChunks: 2 });
      const { text, error } = await drain(await stream());

      expect(error).toBeInstanceOf(Error);
      expect(text).toBe('Hello from');
      expect(stub.requests[0]).toMatchObject({ aborted: false, finished: false });
    });
  });

  describe('when an error event arrives after 1 chunk', () => {
    it('then the iterator throws an APIError with the provider message', async () => {
      stub.script({ kind: 'error-event', afterChunks: 1 });
      const { text, error } = await drain(await stream());

      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).message).toContain('The server had an error');
      expect(text).toBe('Hello');
    });
  });

  describe('when a malformed line arrives after 3 chunks', () => {
    it('then the iterator throws a SyntaxError', async () => {
      // The SDK logs the bad line before throwing; keep the test output quiet.
      const quiet = new OpenAI({
        apiKey: KEY,
        baseURL: stub.openaiBaseURL,
        maxRetries: 0,
        logLevel: 'off',
      });
      stub.script({ kind: 'malformed', afterChunks: 3 });
      const { text, error } = await drain(
        await quiet.chat.completions.create({ model: 'gpt-stub', messages, stream: true }),
      );

      expect(error).toBeInstanceOf(SyntaxError);
      expect(text).toBe('Hello from the');
    });
  });

  describe('when keep-alive comments are interleaved', () => {
    it('then the SDK ignores them and the text and usage are intact', async () => {
      stub.script({ kind: 'keep-alive' });
      const { chunks, text, error } = await drain(
        await stream({ stream_options: { include_usage: true } }),
      );

      expect(error).toBeUndefined();
      expect(text).toBe(REPLY);
      expect(chunks.at(-1)?.usage?.completion_tokens).toBe(COMPLETION_TOKENS);
    });
  });

  describe('when no-usage is scripted', () => {
    it('then a plain completion has no usage', async () => {
      stub.script({ kind: 'no-usage' });
      const completion = await client.chat.completions.create({ model: 'gpt-stub', messages });

      expect(completion.choices[0]?.message.content).toBe(REPLY);
      expect(completion.usage).toBeUndefined();
    });

    it('then a stream asking for usage gets none', async () => {
      stub.script({ kind: 'no-usage' });
      const { chunks, text } = await drain(
        await stream({ stream_options: { include_usage: true } }),
      );

      expect(text).toBe(REPLY);
      expect(chunks.some((c) => c.usage)).toBe(false);
      expect(chunks.some((c) => c.choices.length === 0)).toBe(false);
    });
  });

  describe('when the client aborts the stream with an AbortController', () => {
    it('then the stub records the request as aborted', async () => {
      stub.script({ kind: 'chunk-delay', ms: 50 });
      const controller = new AbortController();
      let text = '';
      try {
        for await (const chunk of await stream({}, controller.signal)) {
          text += chunk.choices[0]?.delta.content ?? '';
          if (text) controller.abort();
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
