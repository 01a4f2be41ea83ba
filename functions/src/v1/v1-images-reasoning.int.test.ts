// Image questions and reasoning effort on /v1/chat/completions through the official openai
// SDK, unchanged: what reaches each wire format, reasoning streamed apart from the answer, and
// the 400s naming the field or the capability. The gateway runs with small image limits.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI, { APIError } from 'openai';
import { startGatewayFixture, type GatewayFixture } from '../dev/gateway-fixture.js';

let gw: GatewayFixture;
let client: OpenAI;

beforeAll(async () => {
  gw = await startGatewayFixture({ GATEWAY_MAX_IMAGES: '2', GATEWAY_MAX_IMAGE_BYTES: '100' });
  client = new OpenAI({ apiKey: await gw.token(), baseURL: `${gw.url}v1/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await gw?.stop();
});

beforeEach(() => gw.stub.reset());

// A 1×1 PNG (70 bytes), under the fixture's 100-byte limit.
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const HTTPS_IMAGE = 'https://images.example.test/cat.webp';

const image = (url: string): OpenAI.ChatCompletionContentPartImage => ({
  type: 'image_url',
  image_url: { url },
});
const question = (...images: string[]): OpenAI.ChatCompletionMessageParam[] => [
  {
    role: 'user',
    content: [{ type: 'text', text: 'What is in these pictures?' }, ...images.map(image)],
  },
];

async function badRequest(params: OpenAI.ChatCompletionCreateParamsNonStreaming) {
  const error = await client.chat.completions.create(params).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(APIError);
  expect((error as APIError).status).toBe(400);
  expect(gw.stub.requests).toHaveLength(0);
  return (error as APIError).error as { param: string | null; message: string };
}

describe('an image question', () => {
  it('when a data URL and an https image are asked about, then each format gets both images in its own blocks', async () => {
    for (const model of ['openai/gpt-stub', 'anthropic/claude-stub']) {
      const completion = await client.chat.completions.create({
        model,
        messages: question(`data:image/png;base64,${PNG}`, HTTPS_IMAGE),
      });
      expect(completion.choices[0]?.message.content).toContain('What is in these pictures?');
    }
    const [openai, anthropic] = gw.stub.requests.map(
      (r) => (r.body as { messages: { content: unknown }[] }).messages[0]?.content,
    );
    expect(openai).toEqual([
      { type: 'text', text: 'What is in these pictures?' },
      image(`data:image/png;base64,${PNG}`),
      image(HTTPS_IMAGE),
    ]);
    expect(anthropic).toEqual([
      { type: 'text', text: 'What is in these pictures?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      { type: 'image', source: { type: 'url', url: HTTPS_IMAGE } },
    ]);
  });

  it('when the model has no vision, then the 400 names vision and the model', async () => {
    const error = await badRequest({ model: 'local/echo', messages: question(HTTPS_IMAGE) });
    expect(error.param).toBe('model');
    expect(error.message).toContain('"local/echo" does not support vision');
  });

  it('when an image is not https, not an image type or not base64, then the 400 names its url', async () => {
    for (const [url, why] of [
      ['http://images.example.test/cat.png', 'must be an https URL'],
      [`data:image/bmp;base64,${PNG}`, 'must be one of image/png'],
      ['data:image/png;base64,not base64!', 'must be base64 data'],
    ] as const) {
      const error = await badRequest({ model: 'openai/gpt-stub', messages: question(url) });
      expect(error.param).toBe('messages.0.content.1.image_url.url');
      expect(error.message).toContain(why);
    }
  });

  it('when there are more images than allowed, or one is too large, then the 400 names the image part', async () => {
    const three = await badRequest({
      model: 'anthropic/claude-stub',
      messages: question(HTTPS_IMAGE, HTTPS_IMAGE, HTTPS_IMAGE),
    });
    expect(three.param).toBe('messages.0.content.3');
    expect(three.message).toContain('more than the 2 images');
    const large = await badRequest({
      model: 'anthropic/claude-stub',
      messages: question(`data:image/png;base64,${'A'.repeat(200)}`),
    });
    expect(large.param).toBe('messages.0.content.1');
    expect(large.message).toContain('larger than the 100 allowed');
  });
});

describe('reasoning effort', () => {
  const REASONING = 'The capital of France is well known. It is Paris.';
  const ask = [{ role: 'user' as const, content: 'Capital of France?' }];

  /** The streamed answer's text and reasoning, each from its own deltas. */
  async function streamed(model: string) {
    let content = '';
    let reasoning = '';
    const stream = await client.chat.completions.create({
      model,
      messages: ask,
      reasoning_effort: 'low',
      stream: true,
    });
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string };
      content += delta?.content ?? '';
      reasoning += delta?.reasoning_content ?? '';
    }
    return { content, reasoning };
  }

  it('when a reasoning model is asked for low effort, then reasoning_effort reaches OpenAI and the reasoning streams apart', async () => {
    gw.stub.reply({ reasoning: REASONING, text: 'Paris.' });
    expect(await streamed('openai/gpt-stub-mini')).toEqual({
      content: 'Paris.',
      reasoning: REASONING,
    });
    expect(gw.stub.requests[0]?.body).toMatchObject({ reasoning_effort: 'low' });
  });

  it('when Claude is asked for low effort, then it thinks within a budget and the thinking streams as reasoning_content, streamed or not', async () => {
    const reply = { reasoning: REASONING, text: 'Paris.' };
    gw.stub.reply(reply, reply);
    expect(await streamed('anthropic/claude-stub')).toEqual({
      content: 'Paris.',
      reasoning: REASONING,
    });
    const whole = await client.chat.completions.create({
      model: 'anthropic/claude-stub',
      messages: ask,
      reasoning_effort: 'low',
    });
    expect(whole.choices[0]?.message).toMatchObject({
      content: 'Paris.',
      reasoning_content: REASONING,
    });
    expect(gw.stub.requests[0]?.body).toMatchObject({
      thinking: { type: 'enabled', budget_tokens: 2048 },
      max_tokens: 4096,
    });
  });

  it('when the model does not reason, then the 400 names reasoning', async () => {
    const error = await badRequest({
      model: 'openai/gpt-stub',
      messages: ask,
      reasoning_effort: 'low',
    });
    expect(error.param).toBe('model');
    expect(error.message).toContain('"openai/gpt-stub" does not support reasoning');
  });
});
