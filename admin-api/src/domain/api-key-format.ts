// Makes API keys: `cc_` + an 8-character prefix + 32 random bytes in base62 (43 characters,
// zero-padded so every key has the same length). Only the SHA-256 of the whole key is stored;
// the visible prefix lets a person tell their keys apart.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** ceil(256 / log2(62)): the base62 length of any 32-byte number. */
const SECRET_LENGTH = 43;
const PREFIX_LENGTH = 8;

export interface NewApiKey {
  /** The whole key: handed to the caller once, never stored or logged. */
  key: string;
  /** `cc_` and the 8-character prefix. */
  prefix: string;
  /** SHA-256 of the whole key, lowercase hex: the stored form and the Firestore document id. */
  hash: string;
}

function base62(bytes: Buffer, length: number): string {
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)]! + out;
    n /= 62n;
  }
  return out.padStart(length, '0');
}

/** Uniform base62 characters: bytes of 248 and above are dropped so none is favoured. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(): NewApiKey {
  const prefix = `cc_${randomBase62(PREFIX_LENGTH)}`;
  const key = `${prefix}${base62(randomBytes(32), SECRET_LENGTH)}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/** Whether `key` is the one stored as `hash`, compared in constant time. */
export function keyMatchesHash(key: string, hash: string): boolean {
  const presented = Buffer.from(hashApiKey(key), 'hex');
  const stored = Buffer.from(hash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** Any string that looks like one of our keys: for scrubbing logs and audit entries. */
export { API_KEY_IN_TEXT } from '@colonycraft/protocol';
