// Starts firebase-tools' Auth, Functions and Hosting emulators as one child process, from a
// firebase.json derived from the repository's own with this run's ports. The Firestore
// emulator is started separately (see firestore-emulator.ts) and reached through
// FIRESTORE_EMULATOR_HOST, which the Functions emulator passes on to the functions.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { startChild, type Child } from './child.js';
import { freePort } from './free-port.js';
import { allowConnecting, type HostingHeaders } from './hosting-csp.js';
import { DEMO_PROJECT_ID, repoPath } from './repo.js';

export type EmulatorName = 'auth' | 'functions' | 'hosting';

export interface EmulatorPorts {
  auth: number;
  functions: number;
  hosting: number;
  hub: number;
  logging: number;
}

export interface FirebaseEmulators {
  ports: EmulatorPorts;
  /** `http://127.0.0.1:PORT` of each emulator that runs. */
  urls: Partial<Record<EmulatorName, string>>;
  child: Child;
  stop(): Promise<void>;
}

interface FirebaseJson {
  functions: { source: string; predeploy?: string[] }[];
  hosting: { public: string } & HostingHeaders;
  emulators: Record<string, { port?: number } & Record<string, unknown>>;
  firestore?: unknown;
}

export function readFirebaseJson(): FirebaseJson {
  return JSON.parse(readFileSync(repoPath('firebase.json'), 'utf8')) as FirebaseJson;
}

export async function defaultOrFreePorts(mode: 'default' | 'free'): Promise<EmulatorPorts> {
  const configured = readFirebaseJson().emulators;
  const pick = async (name: keyof EmulatorPorts): Promise<number> =>
    mode === 'free' ? freePort() : (configured[name]?.port ?? freePort());
  return {
    auth: await pick('auth'),
    functions: await pick('functions'),
    hosting: await pick('hosting'),
    hub: await pick('hub'),
    logging: await pick('logging'),
  };
}

export async function startFirebaseEmulators(options: {
  only: EmulatorName[];
  ports: EmulatorPorts;
  /** Folder for this run's firebase.json (and the Hosting files, if any). */
  runDir: string;
  /** Folder the Hosting emulator serves; required when `hosting` runs. */
  publicDir?: string;
  /**
   * Origins the web app reaches on this machine (the emulators, the admin API), added to the
   * connect-src of the Content-Security-Policy the Hosting emulator sends; production's policy
   * in firebase.json names none.
   */
  connectOrigins?: string[];
  env: NodeJS.ProcessEnv;
  onLine?: (line: string) => void;
  timeoutMs?: number;
}): Promise<FirebaseEmulators> {
  const { runDir, ports, only } = options;
  mkdirSync(runDir, { recursive: true });
  const config = readFirebaseJson();
  const fromRun = (path: string): string => relative(runDir, path);
  // The emulators run the functions from their own folder (firebase.json deploys a packaged
  // copy); firebase-tools resolves paths relative to the config file's folder, even absolute ones.
  config.functions = config.functions.map(({ predeploy: _predeploy, ...f }) => ({
    ...f,
    source: fromRun(repoPath('functions')),
  }));
  config.hosting = allowConnecting(
    { ...config.hosting, public: fromRun(options.publicDir ?? repoPath(config.hosting.public)) },
    options.connectOrigins ?? [],
  );
  delete config.firestore;
  for (const name of Object.keys(ports) as (keyof EmulatorPorts)[]) {
    config.emulators[name] = { ...config.emulators[name], host: '127.0.0.1', port: ports[name] };
  }
  writeFileSync(join(runDir, 'firebase.json'), JSON.stringify(config, null, 2));

  const firebaseBin = createRequire(import.meta.url).resolve('firebase-tools/lib/bin/firebase.js');
  const child = startChild(
    'firebase emulators',
    process.execPath,
    [
      firebaseBin,
      'emulators:start',
      '--only',
      only.join(','),
      '--project',
      DEMO_PROJECT_ID,
      '--config',
      join(runDir, 'firebase.json'),
    ],
    {
      cwd: runDir,
      env: {
        ...process.env,
        ...options.env,
        // Not on Google Cloud: skip the metadata-server probe that otherwise times out.
        METADATA_SERVER_DETECTION: 'none',
        FIREBASE_CLI_DISABLE_UPDATE_CHECK: 'true',
        CI: process.env.CI ?? 'true',
      },
      ...(options.onLine ? { onLine: options.onLine } : {}),
    },
  );
  const timeout = options.timeoutMs ?? 120_000;
  try {
    if (only.includes('functions')) {
      await Promise.race([
        child.waitForLine(/Loaded functions definitions from source/, timeout),
        child.waitForLine(/Failed to load function/, timeout).then((line) => {
          throw new Error(`functions did not load: ${line}\n${child.output()}`);
        }),
      ]);
    }
    await child.waitForLine(/All emulators ready/, timeout);
  } catch (error) {
    await child.stop();
    throw error;
  }
  const urls: Partial<Record<EmulatorName, string>> = {};
  for (const name of only) urls[name] = `http://127.0.0.1:${ports[name]}`;
  return { ports, urls, child, stop: () => child.stop() };
}
