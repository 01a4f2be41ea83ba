// Server-sent events over an Express response, honouring back-pressure: a slow client slows
// the stream down instead of filling the instance's memory.
//
// When bytes leave: Node corks the socket on a write until the next tick, so that the events
// written in one tick (a burst of chunks read from the provider at once) share one packet and
// one system call. But the rest of the burst, and the work at the end of a call (starting the
// usage write, settling the limiter), run in that same tick: the first event, which carries
// the headers and the first token, is therefore sent at once, as is anything `flush` is asked
// for, such as the last chunk before that work.
import { once } from 'node:events';
import type { Response } from 'express';

/** A server-sent event with a name. */
export interface NamedEvent<Data = unknown> {
  event: string;
  data: Data;
}

export class SseWriter {
  started = false;

  /** `opening` gives headers of the answer's own to send with the first event. */
  constructor(
    private readonly res: Response,
    private readonly opening: () => Record<string, string> = () => ({}),
  ) {}

  private async write(text: string): Promise<void> {
    const first = !this.started;
    if (first) {
      this.started = true;
      this.res.statusCode = 200;
      this.res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      this.res.setHeader('Cache-Control', 'no-cache, no-transform');
      this.res.setHeader('X-Accel-Buffering', 'no');
      for (const [name, value] of Object.entries(this.opening())) this.res.setHeader(name, value);
    }
    if (this.res.writableEnded || this.res.destroyed) return;
    const drained = this.res.write(text);
    if (first) this.flush();
    if (!drained) await Promise.race([once(this.res, 'drain'), once(this.res, 'close')]);
  }

  /** Sends what this tick has written so far now, rather than at the end of the tick. */
  flush(): void {
    // Undoes the cork of this tick's first write, which sends what it holds.
    if (this.res.socket?.writableCorked) this.res.socket.uncork();
  }

  /** Sends the events in one write. */
  send(...events: unknown[]): Promise<void> {
    return this.write(events.map((data) => `data: ${JSON.stringify(data)}\n\n`).join(''));
  }

  /** Sends named events (`event: <name>`, as Anthropic's stream has them) in one write. */
  sendNamed(events: readonly NamedEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return this.write(
      events
        .map(({ event, data }) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
        .join(''),
    );
  }

  /** Sends the last named events and ends the stream. */
  async endNamed(events: readonly NamedEvent[]): Promise<void> {
    await this.sendNamed(events);
    this.res.end();
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
