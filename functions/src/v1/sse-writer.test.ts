// When the SSE writer's bytes leave: the first event at once (with the headers), later ones
// at the end of the tick unless flushed, so that work done later in the same tick cannot hold
// back what the client should already have.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Response } from 'express';
import { SseWriter } from './sse-writer.js';

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** Runs `write` as a request's handler, and returns what the client received. */
async function serve(write: (sse: SseWriter, res: Response) => Promise<void>): Promise<string> {
  server = createServer((_req, res) => void write(new SseWriter(res as Response), res as Response));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${port}/`);
  expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  return res.text();
}

describe('SseWriter', { timeout: 5_000 }, () => {
  it('sends the first events, in one write, before the tick ends; later ones when flushed', async () => {
    const corked: number[] = [];
    const text = await serve(async (sse, res) => {
      const sending = sse.send({ n: 1 }, { n: 2 });
      corked.push(res.socket!.writableCorked); // 0: already on its way, headers included
      await sending;
      void sse.send({ n: 3 });
      corked.push(res.socket!.writableCorked); // 1: waits for the end of the tick...
      sse.flush();
      corked.push(res.socket!.writableCorked); // 0: ...unless flushed
      await sse.done();
    });
    expect(corked).toEqual([0, 1, 0]);
    expect(text).toBe('data: {"n":1}\n\ndata: {"n":2}\n\ndata: {"n":3}\n\ndata: [DONE]\n\n');
  });

  it('ends a failed stream with the error event and no [DONE]', async () => {
    const text = await serve(async (sse) => {
      await sse.send({ n: 1 });
      await sse.fail({ error: { message: 'cut' } });
    });
    expect(text).toBe('data: {"n":1}\n\ndata: {"error":{"message":"cut"}}\n\n');
  });
});
