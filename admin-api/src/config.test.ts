import { describe, expect, it } from 'vitest';
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
      corsOrigins: ['http://a', 'http://b'],
      authEmulator: false,
    });
    expect(Object.isFrozen(config)).toBe(true);
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
