// Hosts exported functions in a plain Node HTTP server, as Cloud Run does in production (the
// Functions Framework is Express with a JSON body parser). Used by the benchmark and by tests
// of behaviour the emulator does not pass through, such as a client that disconnects: the
// emulator's proxy keeps the function's request open after its own client has gone.
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import express, { type Request, type Response } from 'express';

export type HttpFunction = (req: Request, res: Response) => unknown;

export interface HostedFunctions {
  /** The URL of one function, for `httpsCallableFromURL` or plain fetch. */
  url(name: string): string;
  close(): Promise<void>;
}

export async function hostFunctions(
  functions: Record<string, HttpFunction>,
  port = 0,
): Promise<HostedFunctions> {
  const app = express();
  app.disable('x-powered-by');
  // The Functions Framework's parser and limit.
  app.use(express.json({ limit: '32mb' }));
  // As on Cloud Functions, `/<name>/rest` reaches function <name> with the path `/rest`.
  app.all('/:name{/*rest}', async (req, res) => {
    const name = req.params.name as string;
    const fn = functions[name];
    if (!fn) {
      res.status(404).end();
      return;
    }
    req.url = req.url.slice(name.length + 1) || '/';
    await fn(req, res);
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: (name) => `http://127.0.0.1:${bound}/${name}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
