import { describe, expect, it } from 'vitest';
import { PROVIDER_KEYS } from '@colonycraft/protocol';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('when DATABASE_URL is missing, then it refuses to start naming the variable', () => {
    expect(() => loadConfig({})).toThrow(/DATABASE_URL/);
  });

  it('when PORT is not a number, then it names PORT', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x', PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('when only DATABASE_URL is set, then the defaults apply and the result is frozen', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://x', CORS_ORIGINS: 'http://a, http://b' });
    expect(config).toMatchObject({
      port: 8081,
      host: '127.0.0.1',
      corsOrigins: ['http://a', 'http://b'],
      authEmulator: false,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });
});

describe('loadConfig for proxies', () => {
  it('when nothing is said, then no proxy hop is trusted; 1 trusts one; a negative count is refused', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://x' }).trustProxyHops).toBe(0);
    expect(loadConfig({ DATABASE_URL: 'postgres://x', TRUST_PROXY_HOPS: '1' }).trustProxyHops).toBe(
      1,
    );
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x', TRUST_PROXY_HOPS: '-1' })).toThrow(
      /TRUST_PROXY_HOPS/,
    );
  });
});

describe('loadConfig with empty variables', () => {
  it('when a variable is set but empty, then it counts as unset', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://x',
      FIREBASE_AUTH_EMULATOR_HOST: '',
      PORT: '',
    });
    expect(config.authEmulator).toBe(false);
    expect(config.port).toBe(8081);
  });
});

describe('loadConfig for the key projection', () => {
  it('when nothing is said, then the reconciler runs every 300 s and writes time out after 10 s', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://x' })).toMatchObject({
      reconcileIntervalSeconds: 300,
      projectionTimeoutMs: 10_000,
    });
  });

  it('when RECONCILE_INTERVAL_SECONDS is 0, then the periodic run is off; when negative, refused', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://x', RECONCILE_INTERVAL_SECONDS: '0' });
    expect(config.reconcileIntervalSeconds).toBe(0);
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgres://x', RECONCILE_INTERVAL_SECONDS: '-1' }),
    ).toThrow(/RECONCILE_INTERVAL_SECONDS/);
  });
});

describe('loadConfig for operations', () => {
  it('when nothing is said, then /metrics is open and shutdown waits 10 s for requests in flight', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://x' })).toMatchObject({
      metricsToken: undefined,
      shutdownTimeoutMs: 10_000,
    });
  });

  it('when METRICS_TOKEN is shorter than 16 characters, then it refuses to start naming it', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x', METRICS_TOKEN: 'short' })).toThrow(
      /METRICS_TOKEN/,
    );
  });
});

describe('loadConfig for provider keys', () => {
  const base = { DATABASE_URL: 'postgres://x' };
  const goodKey = Buffer.alloc(32, 7).toString('base64');

  it('when nothing is said, then the store is the read-only local one and the sweeper runs every 30 s', () => {
    expect(loadConfig(base)).toMatchObject({
      secretStore: 'local',
      localSecrets: { dotenvPath: undefined, file: undefined, key: undefined },
      providerBaseUrls: { openai: undefined, anthropic: undefined, compatible: undefined },
      compatiblePreset: undefined,
      providerKeySweepSeconds: 30,
    });
  });

  it('when the local store has a file and a key, then both are kept; hex keys are fine too', () => {
    const config = loadConfig({
      ...base,
      LOCAL_SECRETS_DOTENV: '/tmp/.secret.local',
      LOCAL_SECRETS_FILE: '/tmp/sealed.json',
      LOCAL_SECRETS_KEY: goodKey,
    });
    expect(config.localSecrets).toEqual({
      dotenvPath: '/tmp/.secret.local',
      file: '/tmp/sealed.json',
      key: goodKey,
    });
    expect(() => loadConfig({ ...base, LOCAL_SECRETS_KEY: 'ab'.repeat(32) })).not.toThrow();
  });

  it('when LOCAL_SECRETS_KEY is not 32 bytes, then it refuses naming the variable, not the value', () => {
    const bad = 'a-secret-too-short-for-aes';
    let message = '';
    try {
      loadConfig({ ...base, LOCAL_SECRETS_KEY: bad });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/LOCAL_SECRETS_KEY/);
    expect(message).not.toContain(bad);
  });

  it('when LOCAL_SECRETS_FILE is set without LOCAL_SECRETS_KEY, then it refuses naming the key', () => {
    expect(() => loadConfig({ ...base, LOCAL_SECRETS_FILE: '/tmp/sealed.json' })).toThrow(
      /LOCAL_SECRETS_KEY/,
    );
  });

  it('when SECRET_STORE is google, then it needs a project, from any of the three variables', () => {
    expect(() => loadConfig({ ...base, SECRET_STORE: 'google' })).toThrow(/SECRET_MANAGER_PROJECT/);
    expect(
      loadConfig({ ...base, SECRET_STORE: 'google', SECRET_MANAGER_PROJECT: 'p1' }),
    ).toMatchObject({ secretStore: 'google', secretManagerProject: 'p1' });
    expect(
      loadConfig({ ...base, SECRET_STORE: 'google', GCLOUD_PROJECT: 'p2' }).secretManagerProject,
    ).toBe('p2');
    expect(() => loadConfig({ ...base, SECRET_STORE: 'vault' })).toThrow(/SECRET_STORE/);
  });

  it('when base URLs and a preset are given, then they are kept; a bad one is refused by name', () => {
    const config = loadConfig({
      ...base,
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      ANTHROPIC_BASE_URL: 'https://proxy.example',
      COMPATIBLE_PRESET: 'groq',
      PROVIDER_KEY_SWEEP_SECONDS: '0',
    });
    expect(config).toMatchObject({
      providerBaseUrls: { openai: 'http://127.0.0.1:9/v1', anthropic: 'https://proxy.example' },
      compatiblePreset: 'groq',
      providerKeySweepSeconds: 0,
    });
    expect(() => loadConfig({ ...base, OPENAI_BASE_URL: 'not a url' })).toThrow(/OPENAI_BASE_URL/);
    expect(() => loadConfig({ ...base, COMPATIBLE_BASE_URL: 'ftp://x.example' })).toThrow(
      /COMPATIBLE_BASE_URL/,
    );
    expect(() => loadConfig({ ...base, COMPATIBLE_PRESET: 'nope' })).toThrow(/COMPATIBLE_PRESET/);
    expect(() => loadConfig({ ...base, PROVIDER_KEY_SWEEP_SECONDS: '-1' })).toThrow(
      /PROVIDER_KEY_SWEEP_SECONDS/,
    );
  });

  it('when a provider of the table takes a key, then its base-URL variable is read and checked', () => {
    for (const [i, { id, baseUrlVariable }] of PROVIDER_KEYS.entries()) {
      const url = `http://127.0.0.1:${9000 + i}/v1`;
      expect(loadConfig({ ...base, [baseUrlVariable]: url }).providerBaseUrls[id]).toBe(url);
      expect(() => loadConfig({ ...base, [baseUrlVariable]: 'not a url' })).toThrow(
        new RegExp(baseUrlVariable),
      );
    }
  });
});
