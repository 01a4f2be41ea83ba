// A deadline on a dependency's answer. Firestore's and Secret Manager's clients retry an
// unreachable service for minutes, or fail at once, depending on how it went away; either way
// a call waits this long at most and gets `unavailable` naming the dependency. The work itself
// goes on past the deadline: it is only no longer waited for.
import { GatewayError } from './errors.js';

/** How long a call waits for Firestore by default (`GATEWAY_STORE_TIMEOUT_MS`). */
export const STORE_DEADLINE_MS = 5_000;

/**
 * `work`'s result, or `unavailable` naming `dependency` once `ms` have passed without it or
 * when it fails other than with a GatewayError of its own.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, dependency: string): Promise<T> {
  const answered = work.catch((error: unknown) => {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError(
      'unavailable',
      `${dependency} could not be reached.`,
      { dependency },
      {
        cause: error,
      },
    );
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new GatewayError('unavailable', `${dependency} did not answer within ${ms} ms.`, {
            dependency,
          }),
        ),
      ms,
    );
  });
  return Promise.race([answered, late]).finally(() => clearTimeout(timer));
}
