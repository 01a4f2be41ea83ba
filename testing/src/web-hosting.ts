// The built web app served as production serves it, and nothing else: the Hosting emulator
// (firebase.json's rewrites and headers, the Content-Security-Policy included) over a copy of
// web/build with a runtime config, beside the Auth emulator the config points at. For the
// web's boot benchmark and the E2E tests that need no functions, admin API or database.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIME_CONFIG_PATH, type RuntimeConfig } from '@colonycraft/protocol';
import { defaultOrFreePorts, startFirebaseEmulators } from './firebase-emulators.js';
import { DEMO_PROJECT_ID, repoPath } from './repo.js';

export interface WebHosting {
  /** `http://127.0.0.1:PORT`, the web app's origin. */
  url: string;
  runtimeConfig: RuntimeConfig;
  stop(): Promise<void>;
}

export async function startWebHosting(
  options: {
    /** The built app to serve; web/build unless set (another build, to compare with). */
    build?: string;
    onLine?: (line: string) => void;
  } = {},
): Promise<WebHosting> {
  const build = options.build ?? repoPath('web', 'build');
  if (!existsSync(join(build, 'index.html'))) {
    throw new Error(`${build} holds no built app: run \`npm run build\` first`);
  }
  const runDir = repoPath('.run', `web-${process.pid}-${Date.now().toString(36)}`);
  const publicDir = join(runDir, 'public');
  mkdirSync(runDir, { recursive: true });
  try {
    const ports = await defaultOrFreePorts('free');
    const runtimeConfig: RuntimeConfig = {
      firebase: {
        apiKey: 'demo-api-key',
        authDomain: `${DEMO_PROJECT_ID}.firebaseapp.com`,
        projectId: DEMO_PROJECT_ID,
      },
      region: 'us-central1',
      // Nothing answers there: the pages this serves make no call before someone signs in.
      adminApiUrl: `http://127.0.0.1:${ports.functions}`,
      emulators: {
        auth: `http://127.0.0.1:${ports.auth}`,
        functions: { host: '127.0.0.1', port: ports.functions },
      },
    };
    cpSync(build, publicDir, { recursive: true });
    writeFileSync(join(publicDir, RUNTIME_CONFIG_PATH), JSON.stringify(runtimeConfig, null, 2));
    const emulators = await startFirebaseEmulators({
      only: ['auth', 'hosting'],
      ports,
      runDir,
      publicDir,
      connectOrigins: [runtimeConfig.emulators!.auth, runtimeConfig.adminApiUrl],
      env: { GCLOUD_PROJECT: DEMO_PROJECT_ID },
      ...(options.onLine ? { onLine: options.onLine } : {}),
    });
    return {
      url: emulators.urls.hosting!,
      runtimeConfig,
      stop: async () => {
        await emulators.stop();
        rmSync(runDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(runDir, { recursive: true, force: true });
    throw error;
  }
}
