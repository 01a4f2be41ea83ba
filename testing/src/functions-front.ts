// What the local stack serves at the Functions emulator's address. The emulator starts one
// worker process per request in flight (~110 MB each; 200 concurrent /v1 calls made ~190 of
// them, ~22 GB), and firebase-tools has no supported cap but its debug mode, which serializes
// every call. So /v1, the one function programs call in bulk, is served by the functions'
// plain host (`functions/lib/dev/serve.js`, one process, as Cloud Run hosts a function), and
// this front sends it there; everything else, the callables the web app uses included, goes
// on to the emulator. The URL of /v1 stays the emulator's:
// http://127.0.0.1:<functions port>/<project>/<region>/v1/v1/…
import { readFileSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseEnv } from 'node:util';
import { startChild, type Child } from './child.js';
import { repoPath } from './repo.js';

export interface FunctionsFront {
  url: string;
  stop(): Promise<void>;
}

/** Listens on `port` (127.0.0.1): `/<project>/<region>/v1…` to `v1Port`'s `/v1…`, the rest to the emulator. */
export async function startFunctionsFront(options: {
  port: number;
  emulatorPort: number;
  v1Port: number;
  projectId: string;
  region: string;
}): Promise<FunctionsFront> {
  const v1Prefix = `/${options.projectId}/${options.region}/v1`;
  const agent = new Agent({ keepAlive: true });
  const route = (url: string): { port: number; path: string } => {
    const rest = url.slice(v1Prefix.length);
    return url.startsWith(v1Prefix) && (rest === '' || rest[0] === '/' || rest[0] === '?')
      ? { port: options.v1Port, path: `/v1${rest}` }
      : { port: options.emulatorPort, path: url };
  };
  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const target = route(req.url ?? '/');
    const upstream = request(
      { host: '127.0.0.1', agent, method: req.method, headers: req.headers, ...target },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502, { 'content-type': 'text/plain' }).end('functions unreachable\n');
    });
    // A client gone early ends the call upstream too, as Cloud Run's front end does.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };
  const server = createServer(forward);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

/**
 * The functions' plain host as the stack runs it, with what the emulator would give them: the
 * params in `functions/.env.local`, the secrets in `functions/.secret.local`, then `env`
 * (the emulators' addresses, the stack's settings), and FUNCTIONS_EMULATOR=true, which the
 * functions read as "the local stack" (the local model, the in-process limit store).
 */
export async function startFunctionsHost(options: {
  port: number;
  env: Record<string, string>;
  onLine: (line: string) => void;
}): Promise<Child> {
  const serve = repoPath('functions', 'lib', 'dev', 'serve.js');
  const fromFile = (name: string): Record<string, string> =>
    parseEnv(readFileSync(repoPath('functions', name), 'utf8')) as Record<string, string>;
  const child = startChild('functions host', process.execPath, [serve], {
    cwd: repoPath('functions'),
    env: {
      ...process.env,
      ...fromFile('.env.local'),
      ...fromFile('.secret.local'),
      ...options.env,
      FUNCTIONS_EMULATOR: 'true',
      PORT: String(options.port),
    },
    onLine: options.onLine,
  });
  try {
    await child.waitForLine(/functions hosted at/, 60_000);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return child;
}
