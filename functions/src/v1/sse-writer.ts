// Server-sent events over an Express response, honouring back-pressure: a slow client slows
// the stream down instead of filling the instance's memory.
import { once } from 'node:events';
import type { Response } from 'express';

export class SseWriter {
  started = false;

  constructor(private readonly res: Response) {}

  private async write(text: string): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.res.status(200);
      this.res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      this.res.setHeader('Cache-Control', 'no-cache, no-transform');
      this.res.setHeader('X-Accel-Buffering', 'no');
      this.res.flushHeaders();
    }
    if (this.res.writableEnded || this.res.destroyed) return;
    if (!this.res.write(text))
      await Promise.race([once(this.res, 'drain'), once(this.res, 'close')]);
  }

  send(data: unknown): Promise<void> {
    return this.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  async done(): Promise<void> {
    await this.write('data: [DONE]\n\n');
    this.res.end();
  }

  async fail(body: unknown): Promise<void> {
    await this.send(body);
    this.res.end();
  }
}
