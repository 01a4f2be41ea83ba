// Which secret store a process uses, from its environment. SECRET_STORE says so outright;
// otherwise the Functions emulator and a set LOCAL_SECRETS_FILE mean the local store, Cloud Run
// (K_SERVICE, where deployed functions and the admin API run) means Google Secret Manager, and
// anything else has none: provider keys then come from plain environment variables.
import { join } from 'node:path';
import { createGoogleSecretStore } from './google-secret-store.js';
import { createLocalSecretStore } from './local-secret-store.js';
import { SecretStoreError, type SecretStore } from './secret-store.js';

export type SecretStoreKind = 'google' | 'local' | 'env';

export function secretStoreKind(env: NodeJS.ProcessEnv): SecretStoreKind {
  const chosen = env.SECRET_STORE;
  if (chosen === 'google' || chosen === 'local' || chosen === 'env') return chosen;
  if (chosen) {
    throw new SecretStoreError(
      'invalid-argument',
      `SECRET_STORE is "${chosen}"; use google, local or env`,
    );
  }
  if (env.FUNCTIONS_EMULATOR === 'true' || env.LOCAL_SECRETS_FILE) return 'local';
  if (env.K_SERVICE) return 'google';
  return 'env';
}

/** The store `env` asks for, or undefined for `env` (plain environment variables). */
export function secretStoreFromEnv(env: NodeJS.ProcessEnv = process.env): SecretStore | undefined {
  switch (secretStoreKind(env)) {
    case 'google': {
      const projectId =
        env.SECRET_MANAGER_PROJECT || env.GOOGLE_CLOUD_PROJECT || env.GCLOUD_PROJECT;
      if (!projectId) {
        throw new SecretStoreError(
          'invalid-argument',
          'SECRET_STORE=google needs the project: set SECRET_MANAGER_PROJECT or GOOGLE_CLOUD_PROJECT',
        );
      }
      return createGoogleSecretStore({ projectId });
    }
    case 'local':
      return createLocalSecretStore({
        // The Functions emulator runs each function in its source folder, beside .secret.local.
        dotenvPath:
          env.LOCAL_SECRETS_DOTENV ??
          (env.FUNCTIONS_EMULATOR === 'true' ? join(process.cwd(), '.secret.local') : undefined),
        file: env.LOCAL_SECRETS_FILE,
        key: env.LOCAL_SECRETS_KEY,
      });
    case 'env':
      return undefined;
  }
}
