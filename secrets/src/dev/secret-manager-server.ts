// A stand-in for Google Secret Manager in tests: an in-memory gRPC server for
// google.cloud.secretmanager.v1.SecretManagerService, built from the protos the client library
// ships, answering with the status codes and messages Google's service uses.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import crc32c from 'crc-32/crc32c.js';
import type { GoogleSecretStoreClientOptions } from '../google-secret-store.js';

export interface SecretManagerServer {
  port: number;
  /** Makes `new SecretManagerServiceClient(clientOptions)` talk to this server, without auth. */
  clientOptions: GoogleSecretStoreClientOptions;
  /** The methods called, in order (`AccessSecretVersion`, …), failed calls included. */
  requests: string[];
  /** The next call of `method` fails with `code` (queued: call twice for two failures). */
  failNext(method: string, code: grpc.status): void;
  /** The next AccessSecretVersion answers with one byte of the value flipped. */
  corruptNextAccess(): void;
  stop(): Promise<void>;
}

export interface SecretManagerServerOptions {
  /** The most versions a ListSecretVersions page holds (Google's limit is 25000). */
  maxPageSize?: number;
}

type Timestamp = { seconds: string; nanos: number };
type State = 'ENABLED' | 'DISABLED' | 'DESTROYED';

interface StoredVersion {
  number: number;
  state: State;
  createTime: Timestamp;
  destroyTime?: Timestamp;
  /** Absent once destroyed. */
  data?: Buffer;
  crc32c: string;
  clientSpecifiedPayloadChecksum: boolean;
}

interface StoredSecret {
  name: string;
  createTime: Timestamp;
  replication: object;
  labels: Record<string, string>;
  versions: StoredVersion[];
}

/** Requests as @grpc/proto-loader decodes them (camelCase, int64 as strings). */
interface Requests {
  CreateSecret: {
    parent: string;
    secretId: string;
    secret: { replication?: object | null } | null;
  };
  GetSecret: { name: string };
  AddSecretVersion: { parent: string; payload: { data: Buffer; dataCrc32c?: string } | null };
  GetSecretVersion: { name: string };
  AccessSecretVersion: { name: string };
  ListSecretVersions: { parent: string; pageSize: number; pageToken: string; filter: string };
  DisableSecretVersion: { name: string };
  EnableSecretVersion: { name: string };
  DestroySecretVersion: { name: string };
}
type Method = keyof Requests;

class RpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

const MAX_PAYLOAD = 64 * 1024;
const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
const SECRET_NAME = /^projects\/[^/]+\/secrets\/[^/]+$/;
const VERSION_NAME = /^(projects\/[^/]+\/secrets\/[^/]+)\/versions\/([^/]+)$/;

const require = createRequire(import.meta.url);
// The client library's own protos, and google-gax's for google/api, google/iam, google/protobuf.
const clientEntry = require.resolve('@google-cloud/secret-manager');
const gaxEntry = createRequire(clientEntry).resolve('google-gax');
const includeDirs = [clientEntry, gaxEntry].map((entry) => join(dirname(entry), '../protos'));

let service: grpc.ServiceDefinition | undefined;
function loadService(): grpc.ServiceDefinition {
  service ??= protoLoader.loadSync('google/cloud/secretmanager/v1/service.proto', {
    includeDirs,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  })['google.cloud.secretmanager.v1.SecretManagerService'] as grpc.ServiceDefinition;
  return service;
}

/** CRC32C as Secret Manager reports it: an unsigned decimal int64. */
const checksum = (data: Uint8Array): string => String(crc32c.buf(data) >>> 0);

function now(): Timestamp {
  const ms = Date.now();
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
}

export async function startSecretManagerServer(
  options: SecretManagerServerOptions = {},
): Promise<SecretManagerServer> {
  const maxPageSize = options.maxPageSize ?? 25_000;
  const secrets = new Map<string, StoredSecret>();
  const requests: string[] = [];
  const failures = new Map<string, grpc.status[]>();
  let corruptAccess = false;

  function secret(name: string): StoredSecret {
    if (!SECRET_NAME.test(name)) {
      throw new RpcError(
        grpc.status.INVALID_ARGUMENT,
        `The provided Secret name [${name}] does not match the expected format [projects/*/secrets/*]`,
      );
    }
    const found = secrets.get(name);
    if (!found) throw new RpcError(grpc.status.NOT_FOUND, `Secret [${name}] not found.`);
    return found;
  }

  /** A version by number, or the newest one (whatever its state) for the `latest` alias. */
  function version(name: string): { secret: StoredSecret; version: StoredVersion } {
    const match = VERSION_NAME.exec(name);
    const [, secretName = '', id = ''] = match ?? [];
    if (!match || !(id === 'latest' || /^[1-9][0-9]*$/.test(id))) {
      throw new RpcError(
        grpc.status.INVALID_ARGUMENT,
        `The provided Secret Version ID [${name}] does not match the expected format [projects/*/secrets/*/versions/*]`,
      );
    }
    const found = secrets.get(secretName);
    const stored =
      id === 'latest' ? found?.versions.at(-1) : found?.versions.find((v) => v.number === +id);
    if (!found || !stored) {
      throw new RpcError(
        grpc.status.NOT_FOUND,
        id === 'latest'
          ? `Secret [${secretName}] not found or has no versions.`
          : `Secret Version [${name}] not found.`,
      );
    }
    return { secret: found, version: stored };
  }

  const versionName = (secret: StoredSecret, v: StoredVersion): string =>
    `${secret.name}/versions/${v.number}`;

  function versionResource(secret: StoredSecret, v: StoredVersion): object {
    return {
      name: versionName(secret, v),
      createTime: v.createTime,
      destroyTime: v.destroyTime,
      state: v.state,
      replicationStatus: { automatic: {} },
      etag: `"${v.state.toLowerCase()}-${v.number}"`,
      clientSpecifiedPayloadChecksum: v.clientSpecifiedPayloadChecksum,
    };
  }

  function secretResource(secret: StoredSecret): object {
    return {
      name: secret.name,
      createTime: secret.createTime,
      replication: secret.replication,
      labels: secret.labels,
      etag: `"${secret.versions.length}"`,
    };
  }

  function notDestroyed(secret: StoredSecret, v: StoredVersion): void {
    if (v.state === 'DESTROYED') {
      throw new RpcError(
        grpc.status.FAILED_PRECONDITION,
        `Secret Version [${versionName(secret, v)}] is in DESTROYED state.`,
      );
    }
  }

  const handlers: { [M in Method]: (request: Requests[M]) => object } = {
    CreateSecret({ parent, secretId, secret: body }) {
      if (!/^projects\/[^/]+$/.test(parent)) {
        throw new RpcError(grpc.status.INVALID_ARGUMENT, `Invalid parent [${parent}].`);
      }
      if (!SECRET_ID.test(secretId)) {
        throw new RpcError(
          grpc.status.INVALID_ARGUMENT,
          'Secret ID must be 1 to 255 characters of letters, numerals, hyphens and underscores.',
        );
      }
      if (!body?.replication) {
        throw new RpcError(grpc.status.INVALID_ARGUMENT, 'Secret.replication must be specified.');
      }
      const name = `${parent}/secrets/${secretId}`;
      if (secrets.has(name)) {
        throw new RpcError(grpc.status.ALREADY_EXISTS, `Secret [${name}] already exists.`);
      }
      const created: StoredSecret = {
        name,
        createTime: now(),
        replication: body.replication,
        labels: {},
        versions: [],
      };
      secrets.set(name, created);
      return secretResource(created);
    },

    GetSecret: ({ name }) => secretResource(secret(name)),

    AddSecretVersion({ parent, payload }) {
      const target = secret(parent);
      const data = payload?.data ?? Buffer.alloc(0);
      if (data.length === 0) {
        throw new RpcError(grpc.status.INVALID_ARGUMENT, 'Secret Payload cannot be empty.');
      }
      if (data.length > MAX_PAYLOAD) {
        throw new RpcError(
          grpc.status.INVALID_ARGUMENT,
          `Secret Payload cannot be larger than ${MAX_PAYLOAD} bytes.`,
        );
      }
      const crc = checksum(data);
      const sent = payload?.dataCrc32c;
      if (sent !== undefined && sent !== null && sent !== crc) {
        throw new RpcError(grpc.status.INVALID_ARGUMENT, 'Checksum mismatch in SecretPayload.');
      }
      const added: StoredVersion = {
        number: (target.versions.at(-1)?.number ?? 0) + 1,
        state: 'ENABLED',
        createTime: now(),
        data: Buffer.from(data),
        crc32c: crc,
        clientSpecifiedPayloadChecksum: sent !== undefined && sent !== null,
      };
      target.versions.push(added);
      return versionResource(target, added);
    },

    GetSecretVersion({ name }) {
      const found = version(name);
      return versionResource(found.secret, found.version);
    },

    AccessSecretVersion({ name }) {
      const { secret: owner, version: v } = version(name);
      if (v.state !== 'ENABLED' || !v.data) {
        throw new RpcError(
          grpc.status.FAILED_PRECONDITION,
          `Secret Version [${versionName(owner, v)}] is in ${v.state} state.`,
        );
      }
      let data = v.data;
      if (corruptAccess) {
        corruptAccess = false;
        data = Buffer.from(data);
        data[0] = (data[0] ?? 0) ^ 0xff;
      }
      return { name: versionName(owner, v), payload: { data, dataCrc32c: v.crc32c } };
    },

    ListSecretVersions({ parent, pageSize, pageToken, filter }) {
      const owner = secret(parent);
      const wanted = /^\s*state\s*[:=]\s*(ENABLED|DISABLED|DESTROYED)\s*$/i.exec(filter);
      if (filter.trim() && !wanted) {
        throw new RpcError(grpc.status.INVALID_ARGUMENT, `Invalid filter [${filter}].`);
      }
      const state = wanted?.[1]?.toUpperCase();
      const matching = owner.versions
        .filter((v) => !state || v.state === state)
        .sort((a, b) => b.number - a.number);
      const offset = pageToken ? Number(Buffer.from(pageToken, 'base64url').toString()) : 0;
      if (!Number.isInteger(offset) || offset < 0) {
        throw new RpcError(grpc.status.INVALID_ARGUMENT, 'Invalid page token.');
      }
      const size = Math.min(pageSize > 0 ? pageSize : maxPageSize, maxPageSize);
      const end = offset + size;
      return {
        versions: matching.slice(offset, end).map((v) => versionResource(owner, v)),
        nextPageToken: end < matching.length ? Buffer.from(String(end)).toString('base64url') : '',
        totalSize: matching.length,
      };
    },

    DisableSecretVersion({ name }) {
      const found = version(name);
      notDestroyed(found.secret, found.version);
      found.version.state = 'DISABLED';
      return versionResource(found.secret, found.version);
    },

    EnableSecretVersion({ name }) {
      const found = version(name);
      notDestroyed(found.secret, found.version);
      found.version.state = 'ENABLED';
      return versionResource(found.secret, found.version);
    },

    DestroySecretVersion({ name }) {
      const found = version(name);
      notDestroyed(found.secret, found.version);
      found.version.state = 'DESTROYED';
      found.version.destroyTime = now();
      delete found.version.data;
      return versionResource(found.secret, found.version);
    },
  };

  const implementation: grpc.UntypedServiceImplementation = {};
  for (const method of Object.keys(handlers) as Method[]) {
    const handle = handlers[method] as (request: unknown) => object;
    implementation[method] = (
      call: grpc.ServerUnaryCall<unknown, object>,
      callback: grpc.sendUnaryData<object>,
    ) => {
      requests.push(method);
      const injected = failures.get(method)?.shift();
      if (injected !== undefined) {
        callback({ code: injected, details: `${method} failed (injected by the test).` });
        return;
      }
      try {
        callback(null, handle(call.request));
      } catch (error) {
        const code = error instanceof RpcError ? error.code : grpc.status.INTERNAL;
        callback({ code, details: error instanceof Error ? error.message : String(error) });
      }
    };
  }

  const server = new grpc.Server();
  server.addService(loadService(), implementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });

  // The client checks that its credentials come from its own copy of @grpc/grpc-js (google-gax's,
  // which may be another version than this server's), so take createInsecure from that copy.
  const clientGrpc = createRequire(gaxEntry)('@grpc/grpc-js') as {
    credentials: { createInsecure(): GoogleSecretStoreClientOptions['sslCreds'] };
  };
  const clientOptions: GoogleSecretStoreClientOptions = {
    apiEndpoint: '127.0.0.1',
    port,
    sslCreds: clientGrpc.credentials.createInsecure(),
    // Stated, so that google-gax does not look for Application Default Credentials (or probe
    // the GCE metadata server) to learn the universe domain before its first call.
    universeDomain: 'googleapis.com',
  };

  return {
    port,
    clientOptions,
    requests,
    failNext(method, code) {
      if (!Object.hasOwn(handlers, method))
        throw new Error(`${method} is not a method this server serves`);
      failures.set(method, [...(failures.get(method) ?? []), code]);
    },
    corruptNextAccess() {
      corruptAccess = true;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        // Lets calls in flight finish, for a second at most.
        const force = setTimeout(() => server.forceShutdown(), 1000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
