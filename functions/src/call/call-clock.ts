// The gateway's own time in a call: everything since the call began except the time spent
// waiting for the provider (its answer's events, or an embeddings reply). It is what the
// `x-colonycraft-overhead-ms` header and the call's log line report, as LiteLLM's
// `x-litellm-overhead-duration-ms` does.
export class CallClock {
  private readonly start = performance.now();
  private providerMs = 0;
  /** When the wait under way began, if one is. */
  private waitingSince: number | undefined;

  /** Times one wait for the provider (one at a time). */
  async waitFor<T>(providing: Promise<T>): Promise<T> {
    const asked = performance.now();
    this.waitingSince = asked;
    try {
      return await providing;
    } finally {
      this.waitingSince = undefined;
      this.providerMs += performance.now() - asked;
    }
  }

  /** The events of `source`, the time spent waiting for each counted as the provider's. */
  async *timed<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
    const events = source[Symbol.asyncIterator]();
    try {
      for (;;) {
        const step = await this.waitFor(events.next());
        if (step.done) return;
        yield step.value;
      }
    } finally {
      // Stopped early (the client left, a chunk could not be written): the provider's stream
      // is ended too, as `for await` would end it.
      await events.return?.();
    }
  }

  /** Milliseconds so far, to two decimals; a wait under way is the provider's too. */
  overheadMs(): number {
    const now = performance.now();
    const waiting = this.waitingSince === undefined ? 0 : now - this.waitingSince;
    return Math.round((now - this.start - this.providerMs - waiting) * 100) / 100;
  }
}

/** The header every `/v1` answer carries with the gateway's own time. */
export const OVERHEAD_HEADER = 'x-colonycraft-overhead-ms';
