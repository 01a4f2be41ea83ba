// The Content-Security-Policy the local stack's Hosting emulator sends. firebase.json's policy
// is production's and names no local origin; the stack serves the same policy with its own
// emulators and admin API added to connect-src, in the firebase.json it derives for its run.

export interface HostingHeaders {
  headers?: { source: string; headers: { key: string; value: string }[] }[];
}

/** The policy's `connect-src` sources, or undefined if `policy` has no such directive. */
export function connectSources(policy: string): string[] | undefined {
  const directive = policy
    .split(';')
    .map((part) => part.trim().split(/\s+/))
    .find(([name]) => name === 'connect-src');
  return directive?.slice(1);
}

/**
 * `hosting` with `origins` added to the connect-src of its Content-Security-Policy headers.
 * Throws when there is none, so a policy renamed in firebase.json fails the stack's start
 * rather than the browser's first call.
 */
export function allowConnecting<T extends HostingHeaders>(hosting: T, origins: string[]): T {
  let found = false;
  const headers = hosting.headers?.map((rule) => ({
    ...rule,
    headers: rule.headers.map((header) => {
      if (header.key.toLowerCase() !== 'content-security-policy') return header;
      const value = header.value
        .split(';')
        .map((part) => {
          const [name, ...sources] = part.trim().split(/\s+/);
          if (name !== 'connect-src') return part.trim();
          found = true;
          return [name, ...sources, ...origins.filter((o) => !sources.includes(o))].join(' ');
        })
        .join('; ');
      return { ...header, value };
    }),
  }));
  if (!found) {
    throw new Error("firebase.json's Hosting headers have no Content-Security-Policy connect-src");
  }
  return { ...hosting, headers };
}
