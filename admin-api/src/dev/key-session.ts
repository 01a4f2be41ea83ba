// Helpers for the API-key tests: calls that remember every key handed out and every other
// response body, so a test can finally prove that no key leaked into a response, a log line or
// the audit log.
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { CreatedApiKey } from '@colonycraft/protocol';
import type { AdminFixture, Reply, UserName } from './admin-fixture.js';

export const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');

export interface KeySession {
  /** A call whose answer must not carry a key. */
  call<T>(user: UserName, method: string, path: string, body?: unknown): Promise<Reply<T>>;
  /** Creates a key (any role allowed to) and remembers it. */
  create(user: UserName, body?: Record<string, unknown>): Promise<CreatedApiKey>;
  /** Rotates a key and remembers the new one. */
  rotate(user: UserName, id: string, graceSeconds: number): Promise<Reply<CreatedApiKey>>;
  projection(key: string): Promise<Record<string, unknown> | undefined>;
  auditFor(id: string): Promise<Record<string, unknown>[]>;
  /** Asserts that no key handed out so far appears anywhere it must not. */
  expectNoLeaks(): Promise<void>;
}

export function keySession(f: AdminFixture): KeySession {
  const issued: string[] = [];
  const responses: string[] = [];
  return {
    async call<T>(user: UserName, method: string, path: string, body?: unknown) {
      const res = await f.call<T>(user, method, path, body);
      responses.push(res.text);
      return res;
    },
    async create(user, body = {}) {
      const res = await f.call<CreatedApiKey>(user, 'POST', '/api-keys', {
        name: 'test key',
        scopes: ['*'],
        ...body,
      });
      expect(res.status).toBe(201);
      issued.push(res.body.key);
      return res.body;
    },
    async rotate(user, id, graceSeconds) {
      const res = await f.call<CreatedApiKey>(user, 'POST', `/api-keys/${id}/rotate`, {
        graceSeconds,
      });
      if (res.status === 201) issued.push(res.body.key);
      else responses.push(res.text);
      return res;
    },
    async projection(key) {
      return (await f.firestore.doc(`apiKeys/${sha256(key)}`).get()).data();
    },
    async auditFor(id) {
      const { rows } = await f.sql.query(
        `SELECT actor, action, target, before, after, ip, request_id FROM audit_log
         WHERE target = $1 ORDER BY seq`,
        [`api_key:${id}`],
      );
      return rows;
    },
    async expectNoLeaks() {
      const [someKey] = issued;
      // Mistakes a caller could make: the key in the path and in the query string.
      responses.push((await f.call('boss', 'GET', `/api-keys/${someKey}`)).text);
      responses.push((await f.call('boss', 'GET', `/api-keys?owner=${someKey}`)).text);
      const logs = f.logs();
      expect(logs).toContain('/api-keys'); // the log really is captured
      expect(logs).toContain('[redacted-api-key]');
      const { rows } = await f.sql.query<{ text: string }>(
        `SELECT coalesce(string_agg(row_to_json(a)::text, E'\\n'), '') AS text FROM audit_log a`,
      );
      const audit = rows[0]!.text;
      expect(issued.length).toBeGreaterThan(3);
      for (const key of issued) {
        for (const secret of [key, sha256(key)]) {
          expect(logs).not.toContain(secret);
          expect(audit).not.toContain(secret);
          for (const body of responses) expect(body).not.toContain(secret);
        }
      }
    },
  };
}
