// The secret store for emulators and `npm start`. Values start in a dotenv file (the Functions
// emulator's `functions/.secret.local`); versions added here live in a JSON file outside git,
// each value sealed with AES-256-GCM under a key from the environment. Once a secret has a
// version in that file, the file is its whole history and the dotenv line is no longer read.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import {
  assertSecretName,
  assertVersion,
  SecretStoreError,
  type SecretStore,
  type SecretVersion,
} from './secret-store.js';

export interface LocalSecretStoreOptions {
  /** KEY=VALUE lines read as each secret's version 1 (`functions/.secret.local`). */
  dotenvPath?: string | undefined;
  /** Where added versions are kept, sealed; created on the first write. Unset: read-only. */
  file?: string | undefined;
  /** 32 bytes, base64 (or 64 hex digits); needed only once `file` exists or is written. */
  key?: string | undefined;
}

const StoredVersion = z.object({
  version: z.string(),
  state: z.enum(['enabled', 'disabled', 'destroyed']),
  createdAt: z.iso.datetime(),
  /** base64 IV, auth tag and ciphertext; absent once destroyed. */
  sealed: z.object({ iv: z.string(), tag: z.string(), data: z.string() }).optional(),
});
type StoredVersion = z.infer<typeof StoredVersion>;

const StoreFile = z.object({
  format: z.literal(1),
  secrets: z.record(z.string(), z.array(StoredVersion)),
});
type StoreFile = z.infer<typeof StoreFile>;

/** Parses `LOCAL_SECRETS_KEY`: 32 bytes as base64 or hex. */
export function parseLocalSecretsKey(raw: string): Buffer {
  const text = raw.trim();
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) {
    throw new SecretStoreError(
      'invalid-argument',
      'LOCAL_SECRETS_KEY must be 32 bytes, as base64 or 64 hex digits (`openssl rand -base64 32`)',
    );
  }
  return key;
}

export function createLocalSecretStore(options: LocalSecretStoreOptions): SecretStore {
  const { file, dotenvPath } = options;
  let key: Buffer | undefined;
  const sealingKey = (): Buffer => {
    if (!options.key) {
      throw new SecretStoreError(
        'failed-precondition',
        `the local secret store ${file ?? '(read-only)'} needs LOCAL_SECRETS_KEY (32 bytes, base64) to read or write it`,
      );
    }
    key ??= parseLocalSecretsKey(options.key);
    return key;
  };
  // Writes happen one at a time in this process; each replaces the file atomically.
  let writes: Promise<unknown> = Promise.resolve();

  function readFile(): StoreFile {
    if (!file || !existsSync(file)) return { format: 1, secrets: {} };
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (cause) {
      throw new SecretStoreError('internal', `the local secret store ${file} is not JSON`, {
        cause,
      });
    }
    const parsed = StoreFile.safeParse(json);
    if (!parsed.success) {
      throw new SecretStoreError('internal', `the local secret store ${file} is malformed`);
    }
    return parsed.data;
  }

  function writableFile(): string {
    if (!file) {
      throw new SecretStoreError(
        'failed-precondition',
        'the local secret store is read-only: set LOCAL_SECRETS_FILE to keep added versions',
      );
    }
    return file;
  }

  function writeFile(data: StoreFile): void {
    const file = writableFile();
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, file);
  }

  function dotenvValue(name: string): string | undefined {
    if (!dotenvPath || !existsSync(dotenvPath)) return undefined;
    const value = parseEnv(readFileSync(dotenvPath, 'utf8'))[name];
    return value === undefined || value === '' ? undefined : value;
  }

  /** The dotenv value as version 1, stamped with the dotenv file's time. */
  function dotenvVersion(name: string): { version: SecretVersion; value: string } | undefined {
    const value = dotenvValue(name);
    if (value === undefined) return undefined;
    const createdAt = statSync(dotenvPath!).mtime;
    return { version: { version: '1', state: 'enabled', createdAt }, value };
  }

  function seal(name: string, version: string, value: string): StoredVersion['sealed'] {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', sealingKey(), iv);
    cipher.setAAD(Buffer.from(`${name}/${version}`));
    const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return {
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
  }

  function unseal(name: string, stored: StoredVersion): string {
    const { sealed } = stored;
    if (!sealed) throw new SecretStoreError('internal', `${name}/${stored.version} has no value`);
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        sealingKey(),
        Buffer.from(sealed.iv, 'base64'),
      );
      decipher.setAAD(Buffer.from(`${name}/${stored.version}`));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([
        decipher.update(Buffer.from(sealed.data, 'base64')),
        decipher.final(),
      ]).toString('utf8');
    } catch (cause) {
      if (cause instanceof SecretStoreError) throw cause;
      throw new SecretStoreError(
        'permission-denied',
        `${name}/${stored.version} in ${file} does not open with LOCAL_SECRETS_KEY (another key sealed it, or the file was altered)`,
        { cause },
      );
    }
  }

  const toVersion = (stored: StoredVersion): SecretVersion => ({
    version: stored.version,
    state: stored.state,
    createdAt: new Date(stored.createdAt),
  });

  /** Runs `change` on the file's contents and writes them back, one change at a time. */
  function update<T>(name: string, change: (versions: StoredVersion[]) => T): Promise<T> {
    const run = writes.then(() => {
      writableFile();
      const data = readFile();
      let versions = data.secrets[name];
      if (!versions) {
        // The first change to a dotenv secret carries its value over as version 1.
        const initial = dotenvVersion(name);
        versions = initial
          ? [
              {
                version: '1',
                state: 'enabled',
                createdAt: initial.version.createdAt.toISOString(),
                sealed: seal(name, '1', initial.value),
              },
            ]
          : [];
      }
      const result = change(versions);
      data.secrets[name] = versions;
      writeFile(data);
      return result;
    });
    writes = run.catch(() => undefined);
    return run;
  }

  function findVersion(name: string, versions: StoredVersion[], version: string): StoredVersion {
    const found = versions.find((v) => v.version === version);
    if (!found) throw new SecretStoreError('not-found', `${name} has no version ${version}`);
    return found;
  }

  return {
    kind: 'local',

    async access(name) {
      assertSecretName(name);
      const versions = readFile().secrets[name];
      if (!versions) return dotenvValue(name);
      const newest = versions.findLast((v) => v.state === 'enabled');
      return newest ? unseal(name, newest) : undefined;
    },

    async addVersion(name, value) {
      assertSecretName(name);
      if (value === '') {
        throw new SecretStoreError('invalid-argument', `a version of ${name} cannot be empty`);
      }
      return update(name, (versions) => {
        const last = versions.at(-1);
        const version = String(last ? Number(last.version) + 1 : 1);
        const stored: StoredVersion = {
          version,
          state: 'enabled',
          createdAt: new Date().toISOString(),
          sealed: seal(name, version, value),
        };
        versions.push(stored);
        return toVersion(stored);
      });
    },

    async listVersions(name) {
      assertSecretName(name);
      const versions = readFile().secrets[name];
      if (!versions) {
        const initial = dotenvVersion(name);
        return initial ? [initial.version] : [];
      }
      return versions.map(toVersion).reverse();
    },

    async disableVersion(name, version) {
      assertSecretName(name);
      assertVersion(name, version);
      await update(name, (versions) => {
        const found = findVersion(name, versions, version);
        if (found.state === 'destroyed') {
          throw new SecretStoreError(
            'failed-precondition',
            `${name}/${version} is destroyed and cannot be disabled`,
          );
        }
        found.state = 'disabled';
      });
    },

    async destroyVersion(name, version) {
      assertSecretName(name);
      assertVersion(name, version);
      await update(name, (versions) => {
        const found = findVersion(name, versions, version);
        found.state = 'destroyed';
        delete found.sealed;
      });
    },

    async close() {
      await writes;
    },
  };
}
