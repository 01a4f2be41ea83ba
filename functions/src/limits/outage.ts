// A dependency's outage as the logs see it: one line when it begins (with the first failure)
// and one when it ends, however many calls fail in between; every failure is counted.
import { logger } from 'firebase-functions/logger';

/** Where the lines go: the functions' logger, or a test's recorder. */
export type OutageLog = Pick<typeof logger, 'error' | 'info'>;

export class Outage {
  private failing = false;

  /** `what` names the part and its dependency, e.g. "rate limiter: Redis". */
  constructor(
    private readonly what: string,
    private readonly count: () => void = () => {},
    private readonly log: OutageLog = logger,
  ) {}

  failed(fields: Record<string, unknown>): void {
    this.count();
    if (this.failing) return;
    this.failing = true;
    this.log.error(`${this.what} failed`, fields);
  }

  recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.log.info(`${this.what} is back`);
  }
}
