#!/usr/bin/env node
// Runs the provider stub as its own process, for local runs and scripts. PORT (default 0: a free
// port) picks the port; PROVIDER_STUB_API_KEY, when set, is the only key it accepts.
import { startProviderStub } from './provider-stub.js';

const portText = process.env.PORT ?? '0';
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(portText)}`);
  process.exit(2);
}
const apiKey = process.env.PROVIDER_STUB_API_KEY || undefined;

const stub = await startProviderStub({ port, ...(apiKey ? { apiKey } : {}) });
console.log(`provider stub listening on ${stub.url}`);

const stop = (): void => {
  stub.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('provider stub failed to close:', error);
      process.exit(1);
    },
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
