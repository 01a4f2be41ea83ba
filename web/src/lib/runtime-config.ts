// Loads the app's run-time configuration from the JSON file served beside the static build, so
// one build runs against the local emulators or production without rebuilding.
import { RUNTIME_CONFIG_PATH, RuntimeConfig, describeIssues } from '@colonycraft/protocol';

export class RuntimeConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntimeConfigError';
  }
}

/**
 * Fetches and validates `/runtime-config.json`; every failure names what to fix.
 *
 * app.html preloads the file (`<link rel="preload" as="fetch" crossorigin>`), so it arrives
 * beside the app's scripts rather than after them, and this request, made with the same mode,
 * credentials and default cache mode, is answered with that response. (`cache: 'no-store'`
 * would refuse it and fetch again.) The file is kept fresh by its `Cache-Control: no-cache`
 * header in firebase.json instead.
 */
export async function loadRuntimeConfig(fetchFn: typeof fetch = fetch): Promise<RuntimeConfig> {
  let response: Response;
  try {
    response = await fetchFn(RUNTIME_CONFIG_PATH);
  } catch (error) {
    throw new RuntimeConfigError(
      `Could not fetch ${RUNTIME_CONFIG_PATH}: the server is unreachable.`,
      {
        cause: error,
      },
    );
  }
  if (!response.ok) {
    throw new RuntimeConfigError(
      `Could not fetch ${RUNTIME_CONFIG_PATH}: the server answered ${response.status}.`,
    );
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new RuntimeConfigError(`${RUNTIME_CONFIG_PATH} is not valid JSON.`, { cause: error });
  }
  const parsed = RuntimeConfig.safeParse(body);
  if (!parsed.success) {
    throw new RuntimeConfigError(
      `${RUNTIME_CONFIG_PATH} is invalid: ${describeIssues(parsed.error)}`,
    );
  }
  return parsed.data;
}
