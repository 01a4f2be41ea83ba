// What ColonyCraft asks of a place that keeps secrets: read the newest value, add a version,
// list the versions' metadata, disable and destroy old ones. Google Secret Manager is one such
// place; an encrypted local file is the other (emulators and `npm start`).

export type SecretVersionState = 'enabled' | 'disabled' | 'destroyed';

/** A version's metadata; never its value. */
export interface SecretVersion {
  /** `1`, `2`, … as Secret Manager numbers them. */
  version: string;
  state: SecretVersionState;
  createdAt: Date;
}

export interface SecretStore {
  readonly kind: 'google' | 'local';
  /**
   * The value of the newest enabled version, or undefined when the secret does not exist or
   * has no enabled version.
   */
  access(name: string): Promise<string | undefined>;
  /** Adds a version holding `value` (creating the secret first when it does not exist). */
  addVersion(name: string, value: string): Promise<SecretVersion>;
  /** Every version, newest first; empty when the secret does not exist. */
  listVersions(name: string): Promise<SecretVersion[]>;
  /** Fails with `not-found` for a version that does not exist. */
  disableVersion(name: string, version: string): Promise<void>;
  /** Forgets the value for good; fails with `not-found` for a version that does not exist. */
  destroyVersion(name: string, version: string): Promise<void>;
  /** Releases connections; the store is not used afterwards. */
  close(): Promise<void>;
}

export type SecretStoreErrorCode =
  | 'invalid-argument'
  | 'not-found'
  | 'permission-denied'
  | 'failed-precondition'
  | 'unavailable'
  | 'internal';

/** Every failure of a store; its message names the secret and never holds a value. */
export class SecretStoreError extends Error {
  override readonly name = 'SecretStoreError';
  constructor(
    readonly code: SecretStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Secret Manager's rule for secret ids, which the local store keeps too. */
const SECRET_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const VERSION = /^[1-9][0-9]*$/;

export function assertSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new SecretStoreError(
      'invalid-argument',
      `secret name ${JSON.stringify(name.slice(0, 300))} is not valid: use 1 to 255 letters, digits, _ or -`,
    );
  }
}

export function assertVersion(name: string, version: string): void {
  if (!VERSION.test(version)) {
    throw new SecretStoreError(
      'invalid-argument',
      `version ${JSON.stringify(version.slice(0, 50))} of ${name} is not a version number`,
    );
  }
}
