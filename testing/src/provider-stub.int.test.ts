// The provider stub over plain fetch: error shapes, key checks, fault scripting and the header,
// request recording, and shutting down with streams still open.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startProviderStub,
  STUB_ANTHROPIC_MODELS,
  STUB_FAULT_HEADER,
  STUB_REPLY_HEADER,
  stubReply,
  type ProviderStub,
} from './provider-stub.js';

const KEY = 'sk-stub-fetch-key';
const openaiHeaders = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const anthropicHeaders = {
  'x-api-key': KEY,
  'anthropic-version': '2023-06-01',
  'content-type': 'application/json',
};
const chatBody = { model: 'gpt-stub', messages: [{ role: 'user', content: 'ping' }] };
const messagesBody = {
  model: 'claude-stub',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'ping' }],
};

let stub: ProviderStub;

beforeAll(async () => {
  stub = await startProviderStub({ apiKey: KEY });
});
afterAll(() => stub.close());
beforeEach(() => stub.reset());

function postChat(body: unknown, headers: Record<string, string> = openaiHeaders) {
  return fetch(`${stub.openaiBaseURL}/chat/completions`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function postMessages(body: unknown, headers: Record<string, string> = anthropicHeaders) {
  return fetch(`${stub.anthropicBaseURL}/v1/messages`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
}

/** The answer text of a non-streaming chat completion. */
async function completionText(response: Response): Promise<string | undefined> {
  const body = (await response.json()) as { choices: { message: { content: string } }[] };
  return body.choices[0]?.message.content;
}

describe('provider stub over plain fetch', () => {
  describe('when it starts', () => {
    it('then its URLs point at the loopback port the SDKs need', () => {
      expect(stub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(stub.openaiBaseURL).toBe(`${stub.url}/v1`);
      expect(stub.anthropicBaseURL).toBe(stub.url);
    });
  });

  describe('when an OpenAI body is missing model', () => {
    it('then it answers 400 in the OpenAI error shape', async () => {
      const response = await postChat({ messages: chatBody.messages });

      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: {
          message: 'you must provide a model parameter',
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      });
    });
  });

  describe('when an OpenAI body is missing messages or is not JSON', () => {
    it('then it answers 400 naming the parameter, or the unparseable body', async () => {
      const missing = await postChat({ model: 'gpt-stub' });
      expect(missing.status).toBe(400);
      expect(await missing.json()).toEqual({
        error: {
          message: "Missing required parameter: 'messages'.",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'missing_required_parameter',
        },
      });

      const garbage = await postChat('{"model": ');
      expect(garbage.status).toBe(400);
      expect(await garbage.json()).toMatchObject({
        error: { type: 'invalid_request_error', message: expect.stringContaining('JSON') },
      });
    });
  });

  describe('when an Anthropic body is missing model, messages or max_tokens', () => {
    it('then each answers 400 in the Anthropic error shape', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ ...messagesBody, model: undefined }, 'model: Field required'],
        [{ ...messagesBody, messages: undefined }, 'messages: Field required'],
        [{ ...messagesBody, max_tokens: undefined }, 'max_tokens: Field required'],
      ];
      for (const [body, message] of cases) {
        const response = await postMessages(body);
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({
          type: 'error',
          error: { type: 'invalid_request_error', message },
          request_id: expect.any(String),
        });
      }
    });
  });

  describe('when no key header is sent', () => {
    it('then OpenAI answers 401 and Anthropic answers 401 authentication_error', async () => {
      const openai = await postChat(chatBody, { 'content-type': 'application/json' });
      expect(openai.status).toBe(401);
      expect(await openai.json()).toMatchObject({
        error: { type: 'invalid_request_error', message: expect.stringContaining('API key') },
      });

      const anthropic = await postMessages(messagesBody, { 'content-type': 'application/json' });
      expect(anthropic.status).toBe(401);
      expect(await anthropic.json()).toMatchObject({
        type: 'error',
        error: { type: 'authentication_error', message: 'x-api-key header is required' },
      });
    });
  });

  describe('when a key other than the configured one is sent', () => {
    it('then both formats answer 401', async () => {
      const openai = await postChat(chatBody, { authorization: 'Bearer sk-other' });
      expect(openai.status).toBe(401);
      expect(await openai.json()).toMatchObject({ error: { code: 'invalid_api_key' } });

      const anthropic = await postMessages(messagesBody, { 'x-api-key': 'sk-other' });
      expect(anthropic.status).toBe(401);
      expect(await anthropic.json()).toMatchObject({ error: { type: 'authentication_error' } });
    });
  });

  describe('when Anthropic is called with the x-api-key header the real API documents', () => {
    it('then it answers and records the header', async () => {
      const response = await postMessages(messagesBody);

      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        content: [{ type: 'text', text: stubReply('ping') }],
      });
      expect(stub.requests[0]?.headers['x-api-key']).toBe(KEY);
    });
  });

  describe('when /v1/models is asked with anthropic-version', () => {
    it('then it lists models in the Anthropic shape', async () => {
      const response = await fetch(`${stub.url}/v1/models`, { headers: anthropicHeaders });

      expect(await response.json()).toEqual({
        data: STUB_ANTHROPIC_MODELS.map((id) => expect.objectContaining({ type: 'model', id })),
        has_more: false,
        first_id: STUB_ANTHROPIC_MODELS[0],
        last_id: STUB_ANTHROPIC_MODELS.at(-1),
      });
    });
  });

  describe('when a path is unknown', () => {
    it('then it answers 404 in the OpenAI shape', async () => {
      const response = await fetch(`${stub.url}/v1/nothing`, { headers: openaiHeaders });

      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'unknown_url' } });
    });
  });

  describe('when several faults are scripted', () => {
    it('then they apply to the next requests in order, one each', async () => {
      stub.script({ kind: 'status', status: 500 }, { kind: 'status', status: 429, retryAfter: 3 });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await postChat(chatBody)).status);

      expect(statuses).toEqual([500, 429, 200]);
      expect(stub.requests.map((r) => r.fault?.kind)).toEqual(['status', 'status', undefined]);
    });

    it('then reset() forgets the queued faults and the requests', async () => {
      stub.script({ kind: 'status', status: 500 });
      await postChat(chatBody);
      stub.script({ kind: 'status', status: 503 });
      stub.reset();

      expect(stub.requests).toEqual([]);
      expect((await postChat(chatBody)).status).toBe(200);
    });
  });

  describe('when a fault comes in the x-stub-fault header while another is scripted', () => {
    it('then the header wins and the scripted fault waits for the next request', async () => {
      stub.script({ kind: 'status', status: 503 });
      const fault = JSON.stringify({ kind: 'status', status: 429, retryAfter: 2 });
      const first = await postChat(chatBody, { ...openaiHeaders, [STUB_FAULT_HEADER]: fault });
      const second = await postChat(chatBody);

      expect(first.status).toBe(429);
      expect(first.headers.get('retry-after')).toBe('2');
      expect(second.status).toBe(503);
    });
  });

  describe('when replies are queued', () => {
    it('then they answer the next requests in order, and the header wins without using one up', async () => {
      stub.reply({ text: 'first' }, { text: 'second' });
      const header = JSON.stringify({ text: 'from the header' });
      const texts = [
        await completionText(
          await postChat(chatBody, { ...openaiHeaders, [STUB_REPLY_HEADER]: header }),
        ),
        await completionText(await postChat(chatBody)),
        await completionText(await postChat(chatBody)),
        await completionText(await postChat(chatBody)),
      ];

      expect(texts).toEqual(['from the header', 'first', 'second', stubReply('ping')]);
      expect(stub.requests.map((r) => r.reply?.text)).toEqual([
        'from the header',
        'first',
        'second',
        undefined,
      ]);
    });

    it('then a request refused by a scripted fault uses its reply up, and reset() forgets the rest', async () => {
      stub.script({ kind: 'status', status: 500 });
      stub.reply({ text: 'lost to the 500' }, { text: 'forgotten' });
      expect((await postChat(chatBody)).status).toBe(500);
      stub.reset();

      expect(await completionText(await postChat(chatBody))).toBe(stubReply('ping'));
    });
  });

  describe('when the x-stub-reply header is not a valid reply', () => {
    it('then it answers 400 saying why, and uses up neither queue', async () => {
      stub.reply({ text: 'kept' });
      const bad = JSON.stringify({ toolCalls: [{ name: 'f' }] });
      const response = await postChat(chatBody, { ...openaiHeaders, [STUB_REPLY_HEADER]: bad });

      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { message: expect.stringContaining('toolCalls[0]') },
      });
      expect(await completionText(await postChat(chatBody))).toBe('kept');
    });
  });

  describe('when the x-stub-fault header is not a valid fault', () => {
    it('then it answers 400 in the provider shape saying why', async () => {
      const response = await postMessages(messagesBody, {
        ...anthropicHeaders,
        [STUB_FAULT_HEADER]: '{"kind":"meltdown"}',
      });

      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        type: 'error',
        error: { message: expect.stringContaining('unknown fault kind "meltdown"') },
      });
    });
  });

  describe('when cut or malformed hits a request that does not stream', () => {
    it('then cut drops the connection and malformed sends a body that is not JSON', async () => {
      stub.script({ kind: 'cut', afterChunks: 0 }, { kind: 'malformed', afterChunks: 0 });

      await expect(postChat(chatBody)).rejects.toThrow();
      const malformed = await postChat(chatBody);
      expect(malformed.status).toBe(200);
      await expect(malformed.json()).rejects.toThrow(SyntaxError);
    });
  });

  describe('when the stub is closed with a stream still open', () => {
    it('then close() resolves promptly and the client read fails', async () => {
      const own = await startProviderStub();
      own.script({ kind: 'chunk-delay', ms: 10_000 });
      const response = await fetch(`${own.openaiBaseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer any' },
        body: JSON.stringify({ ...chatBody, stream: true }),
      });
      const reading = response.text();
      const started = Date.now();
      await own.close();

      expect(Date.now() - started).toBeLessThan(1000);
      await expect(reading).rejects.toThrow();
      expect(own.requests[0]?.aborted).toBe(false);
    });
  });
});
