// Google Secret Manager as a SecretStore. The client library (and google-gax under it) is
// imported on first use, so a Cloud Function importing this package does not load it at cold
// start.
import type { protos, SecretManagerServiceClient } from '@google-cloud/secret-manager';
import {
  assertSecretName,
  assertVersion,
  SecretStoreError,
  type SecretStore,
  type SecretStoreErrorCode,
  type SecretVersion,
  type SecretVersionState,
} from './secret-store.js';

export type GoogleSecretStoreClientOptions = NonNullable<
  ConstructorParameters<typeof SecretManagerServiceClient>[0]
>;

export interface GoogleSecretStoreOptions {
  projectId: string;
  /** For tests and emulators: the endpoint, port and credentials the client uses. */
  clientOptions?: GoogleSecretStoreClientOptions | undefined;
}

type ApiVersion = protos.google.cloud.secretmanager.v1.ISecretVersion;

// gRPC status codes, spelled out here so that mapping an error does not load @grpc/grpc-js.
const Status = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  FAILED_PRECONDITION: 9,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

const storeCodes: Partial<Record<number, SecretStoreErrorCode>> = {
  [Status.INVALID_ARGUMENT]: 'invalid-argument',
  [Status.DEADLINE_EXCEEDED]: 'unavailable',
  [Status.NOT_FOUND]: 'not-found',
  [Status.PERMISSION_DENIED]: 'permission-denied',
  [Status.FAILED_PRECONDITION]: 'failed-precondition',
  [Status.UNAVAILABLE]: 'unavailable',
  [Status.UNAUTHENTICATED]: 'permission-denied',
};

function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * The store's error for a failed call. The message holds the operation, the secret and the
 * client's own message (status and Google's details: resource names, never a payload).
 */
function storeError(error: unknown, operation: string): SecretStoreError {
  if (error instanceof SecretStoreError) return error;
  const code = storeCodes[grpcCode(error) ?? -1] ?? 'internal';
  const detail = error instanceof Error ? error.message : String(error);
  return new SecretStoreError(code, `could not ${operation}: ${detail}`, { cause: error });
}

const states: Record<string, SecretVersionState> = {
  ENABLED: 'enabled',
  DISABLED: 'disabled',
  DESTROYED: 'destroyed',
  // The REST transport (`fallback: true`) answers with the enum's numbers.
  1: 'enabled',
  2: 'disabled',
  3: 'destroyed',
};

function toVersion(secret: string, version: ApiVersion): SecretVersion {
  const number = version.name?.split('/').pop() ?? '';
  const state = states[String(version.state)];
  if (!/^[1-9][0-9]*$/.test(number) || !state) {
    throw new SecretStoreError(
      'internal',
      `Secret Manager described a version of ${secret} as ${JSON.stringify(version.name)} in state ${String(version.state)}`,
    );
  }
  const seconds = Number(version.createTime?.seconds ?? 0);
  const nanos = version.createTime?.nanos ?? 0;
  return {
    version: number,
    state,
    createdAt: new Date(seconds * 1000 + Math.floor(nanos / 1e6)),
  };
}

// The async iterator fetches page after page by itself; gax warns unless autoPaginate is off.
const pages = { autoPaginate: false };

const newestFirst = (a: SecretVersion, b: SecretVersion): number =>
  Number(b.version) - Number(a.version);

interface Loaded {
  client: SecretManagerServiceClient;
  /** CRC32C of `data` as Secret Manager writes it: an unsigned decimal. */
  crc32c(data: Uint8Array): string;
}

async function load(options: GoogleSecretStoreOptions): Promise<Loaded> {
  let modules;
  try {
    modules = await Promise.all([
      import('@google-cloud/secret-manager'),
      import('crc-32/crc32c.js'),
    ]);
  } catch (cause) {
    throw new SecretStoreError(
      'internal',
      'could not load @google-cloud/secret-manager and crc-32 for the Google secret store',
      { cause },
    );
  }
  const [{ SecretManagerServiceClient }, { default: crc }] = modules;
  const client = new SecretManagerServiceClient(options.clientOptions);
  try {
    // Every call of the client starts initialize() and rethrows its failure where nothing
    // catches it (no credentials would crash the process), so set the client up here first.
    await client.initialize();
  } catch (error) {
    throw storeError(error, 'set up the Secret Manager client');
  }
  return { client, crc32c: (data) => String(crc.buf(data) >>> 0) };
}

export function createGoogleSecretStore(options: GoogleSecretStoreOptions): SecretStore {
  const { projectId } = options;
  let loading: Promise<Loaded> | undefined;

  async function loaded(): Promise<Loaded> {
    // A failed setup is not kept: the next call tries again.
    loading ??= load(options).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  }

  const secretPath = (name: string): string => `projects/${projectId}/secrets/${name}`;
  const versionPath = (name: string, version: string): string =>
    `${secretPath(name)}/versions/${version}`;

  /** The value of one version (or alias), checked against the CRC32C the server sends. */
  async function accessValue(
    { client, crc32c }: Loaded,
    name: string,
    version: string,
  ): Promise<string> {
    const [response] = await client.accessSecretVersion({ name: versionPath(name, version) });
    const data = response.payload?.data;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'base64') : Buffer.from(data ?? []);
    const expected = response.payload?.dataCrc32c;
    if (expected !== null && expected !== undefined && String(expected) !== crc32c(bytes)) {
      throw new SecretStoreError(
        'internal',
        `the value of ${name} (${response.name ?? version}) failed its CRC32C check; try again`,
      );
    }
    return bytes.toString('utf8');
  }

  /** The number of the newest enabled version, or undefined when none is enabled. */
  async function newestEnabled({ client }: Loaded, name: string): Promise<string | undefined> {
    let newest: string | undefined;
    const enabled = client.listSecretVersionsAsync(
      { parent: secretPath(name), filter: 'state:ENABLED' },
      pages,
    );
    for await (const version of enabled) {
      const { version: number } = toVersion(name, version);
      if (newest === undefined || Number(number) > Number(newest)) newest = number;
    }
    return newest;
  }

  return {
    kind: 'google',

    async access(name) {
      assertSecretName(name);
      const store = await loaded();
      try {
        return await accessValue(store, name, 'latest');
      } catch (error) {
        // NOT_FOUND: no such secret, or it has no versions at all.
        if (grpcCode(error) === Status.NOT_FOUND) return undefined;
        // FAILED_PRECONDITION: `latest` is the newest version even when it is disabled or
        // destroyed; an older one may still be enabled.
        if (grpcCode(error) !== Status.FAILED_PRECONDITION) {
          throw storeError(error, `access ${name}`);
        }
      }
      try {
        const version = await newestEnabled(store, name);
        return version === undefined ? undefined : await accessValue(store, name, version);
      } catch (error) {
        if (grpcCode(error) === Status.NOT_FOUND) return undefined;
        throw storeError(error, `access ${name}`);
      }
    },

    async addVersion(name, value) {
      assertSecretName(name);
      const { client, crc32c } = await loaded();
      const data = Buffer.from(value, 'utf8');
      const add = async (): Promise<SecretVersion> => {
        const [version] = await client.addSecretVersion({
          parent: secretPath(name),
          payload: { data, dataCrc32c: crc32c(data) },
        });
        return toVersion(name, version);
      };
      try {
        return await add();
      } catch (error) {
        if (grpcCode(error) !== Status.NOT_FOUND) {
          throw storeError(error, `add a version to ${name}`);
        }
      }
      try {
        await client.createSecret({
          parent: `projects/${projectId}`,
          secretId: name,
          secret: { replication: { automatic: {} } },
        });
      } catch (error) {
        // Another process created it between our two calls: fine, it exists now.
        if (grpcCode(error) !== Status.ALREADY_EXISTS) throw storeError(error, `create ${name}`);
      }
      try {
        return await add();
      } catch (error) {
        throw storeError(error, `add a version to ${name}`);
      }
    },

    async listVersions(name) {
      assertSecretName(name);
      const { client } = await loaded();
      const versions: SecretVersion[] = [];
      try {
        // The async iterator asks for the next page until there is none.
        for await (const version of client.listSecretVersionsAsync(
          { parent: secretPath(name) },
          pages,
        )) {
          versions.push(toVersion(name, version));
        }
      } catch (error) {
        if (grpcCode(error) === Status.NOT_FOUND) return [];
        throw storeError(error, `list the versions of ${name}`);
      }
      return versions.sort(newestFirst);
    },

    async disableVersion(name, version) {
      assertSecretName(name);
      assertVersion(name, version);
      const { client } = await loaded();
      try {
        await client.disableSecretVersion({ name: versionPath(name, version) });
      } catch (error) {
        throw storeError(error, `disable version ${version} of ${name}`);
      }
    },

    async destroyVersion(name, version) {
      assertSecretName(name);
      assertVersion(name, version);
      const { client } = await loaded();
      try {
        await client.destroySecretVersion({ name: versionPath(name, version) });
      } catch (error) {
        throw storeError(error, `destroy version ${version} of ${name}`);
      }
    },

    async close() {
      const pending = loading;
      loading = undefined;
      const store = await pending?.catch(() => undefined);
      await store?.client.close();
    },
  };
}
