// Client-token key material for local development and tests: an Ed25519 pair as the JSON the
// functions read (private set as the TOKEN_SIGNING_KEYS secret, public JWKS as TOKEN_VERIFY_KEYS).
import { existsSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';

export interface TokenKeys {
  signing: { active: string; keys: Record<string, unknown>[] };
  verify: { keys: Record<string, unknown>[] };
}

export async function generateTokenKeys(kid: string): Promise<TokenKeys> {
  const alg = 'Ed25519';
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return {
    signing: { active: kid, keys: [{ ...(await exportJWK(privateKey)), kid, alg }] },
    verify: { keys: [{ ...(await exportJWK(publicKey)), kid, alg }] },
  };
}

function hasEntry(file: string, name: string): boolean {
  return existsSync(file) && readFileSync(file, 'utf8').includes(`${name}=`);
}

/**
 * Makes sure the Functions emulator finds its secrets (`.secret.local`) and parameters
 * (`.env.local`). Both files are git-ignored; they are made once and then kept, so tokens stay
 * valid across restarts.
 */
export async function ensureLocalFunctionEnv(functionsDir: string): Promise<void> {
  const secretFile = join(functionsDir, '.secret.local');
  const envFile = join(functionsDir, '.env.local');
  const ready = (): boolean =>
    hasEntry(secretFile, 'TOKEN_SIGNING_KEYS') && hasEntry(envFile, 'TOKEN_VERIFY_KEYS');
  // Stacks starting at once must agree on one key pair: whoever takes the lock writes it.
  const lock = join(functionsDir, '.local-keys.lock');
  for (let attempt = 0; !ready(); attempt += 1) {
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch {
      if (attempt > 100)
        throw new Error(`${lock} is held for too long; delete it if no stack is starting`);
      await sleep(100);
      continue;
    }
    try {
      if (ready()) return;
      const keys = await generateTokenKeys(`local-${Date.now().toString(36)}`);
      writeFileSync(
        envFile,
        `TOKEN_VERIFY_KEYS='${JSON.stringify(keys.verify)}'\nLOCAL_PROVIDER_CHUNK_DELAY_MS=40\n`,
      );
      writeFileSync(secretFile, `TOKEN_SIGNING_KEYS='${JSON.stringify(keys.signing)}'\n`, {
        mode: 0o600,
      });
    } finally {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }
}
