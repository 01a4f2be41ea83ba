// Serves every exported function from one plain HTTP server on PORT (default any free port),
// the way Cloud Run runs a function's container, each under its Firebase name (a group's
// members as `chatBy-openai`). Reads the same environment as production.
import * as exported from '../index.js';
import { exportedFunctions } from './exported-functions.js';
import { hostFunctions } from './http-host.js';

const hosted = await hostFunctions(exportedFunctions(exported), Number(process.env.PORT ?? 0));
console.log(`functions hosted at ${hosted.url('')}`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void hosted.close().then(() => process.exit(0)));
}
