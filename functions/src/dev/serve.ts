// Serves every exported function from one plain HTTP server on PORT (default any free port),
// the way Cloud Run runs a function's container. Reads the same environment as production.
import * as exported from '../index.js';
import { hostFunctions, type HttpFunction } from './http-host.js';

const functions: Record<string, HttpFunction> = {};
for (const [name, fn] of Object.entries(exported)) {
  // Each export is an HTTP handler; firebase-functions types it against its own Express types.
  if (typeof fn === 'function') functions[name] = fn as unknown as HttpFunction;
}
const hosted = await hostFunctions(functions, Number(process.env.PORT ?? 0));
console.log(`functions hosted at ${hosted.url('')}`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void hosted.close().then(() => process.exit(0)));
}
