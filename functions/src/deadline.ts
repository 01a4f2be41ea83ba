// A deadline on a dependency's answer. Firestore's and Secret Manager's clients retry an
// unreachable service for minutes; a call waits for them this long at most, then gets an
// error that names the dependency. The work itself goes on: it is only no longer waited for.
import { GatewayError } from './errors.js';

/** `work`'s result, or `unavailable` naming `dependency` once `ms` have passed without it. */
export function withDeadline<T>(work: Promise<T>, ms: number, dependency: string): Promise<T> {
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
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
