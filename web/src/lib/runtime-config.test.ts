import type { RuntimeConfig } from '@colonycraft/protocol';
import { describe, expect, it, vi } from 'vitest';
import { loadRuntimeConfig } from './runtime-config.ts';

const config: RuntimeConfig = {
  firebase: { apiKey: 'demo-api-key', authDomain: 'demo.firebaseapp.com', projectId: 'demo-cc' },
  region: 'us-central1',
  adminApiUrl: 'http://127.0.0.1:8081',
  emulators: {
    auth: 'http://127.0.0.1:9099',
    functions: { host: '127.0.0.1', port: 5001 },
  },
};

const respond = (body: string, status = 200) =>
  vi.fn<typeof fetch>(async () => new Response(body, { status }));

describe('loadRuntimeConfig', () => {
  it('when the file is valid, then it is returned as parsed', async () => {
    const fetchFn = respond(JSON.stringify(config));
    await expect(loadRuntimeConfig(fetchFn)).resolves.toEqual(config);
    expect(fetchFn).toHaveBeenCalledWith('/runtime-config.json');
  });

  it('when the file is missing, then the error names the path and the status', async () => {
    await expect(loadRuntimeConfig(respond('not found', 404))).rejects.toThrow(
      /\/runtime-config\.json.*404/,
    );
  });

  it('when a field is wrong, then the error names the field', async () => {
    const bad = { ...config, region: '' };
    await expect(loadRuntimeConfig(respond(JSON.stringify(bad)))).rejects.toThrow(/region: /);
  });

  it('when the body is not JSON (an HTML fallback page), then it says so', async () => {
    await expect(loadRuntimeConfig(respond('<!doctype html>'))).rejects.toThrow(/not valid JSON/);
  });

  it('when the server is unreachable, then it says so', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(loadRuntimeConfig(fetchFn)).rejects.toThrow(/unreachable/);
  });
});
