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

// Started with --expose-gc (the bench's soak row), SIGUSR2 prints the heap after a full
// collection, numbered so that each answer can be told from the last.
const collect = (globalThis as { gc?: () => void }).gc;
if (collect) {
  let asked = 0;
  process.on('SIGUSR2', () => {
    collect();
    console.log(`heap ${(asked += 1)}: ${process.memoryUsage().heapUsed} bytes used`);
  });
}
