// The web app's Hosting headers (firebase.json): production's Content-Security-Policy names
// only the endpoints the app reaches there, and the local stack adds its own origins to it.
import { describe, expect, it } from 'vitest';
import { readFirebaseJson } from './firebase-emulators.js';
import { allowConnecting, connectSources } from './hosting-csp.js';

const headers = (): Map<string, string> =>
  new Map(
    (
      readFirebaseJson().hosting as { headers: { headers: { key: string; value: string }[] }[] }
    ).headers
      .flatMap((rule) => rule.headers)
      .map(({ key, value }) => [key.toLowerCase(), value]),
  );
const directives = (policy: string): Map<string, string[]> =>
  new Map(
    policy.split(';').map((part) => {
      const [name = '', ...sources] = part.trim().split(/\s+/);
      return [name, sources];
    }),
  );

describe("firebase.json's Hosting headers", () => {
  it('when the app is served in production, then its policy allows exactly the endpoints it uses, and none on this machine', () => {
    const csp = headers().get('content-security-policy')!;
    expect(connectSources(csp)).toEqual([
      "'self'", // the runtime config, and /v1 behind the Hosting rewrite
      'https://identitytoolkit.googleapis.com', // Firebase Auth: sign-in, accounts, resets
      'https://securetoken.googleapis.com', // Firebase Auth: ID token refresh
      'https://*.cloudfunctions.net', // the callables
      'https://*.run.app', // the admin API on Cloud Run
    ]);
    expect(csp).not.toMatch(/127\.0\.0\.1|localhost|http:|\*(?!\.)/);
  });

  it('when a page is framed, a plugin embedded or the base URL moved, then the policy refuses it', () => {
    const policy = directives(headers().get('content-security-policy')!);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'self'"]);
    expect(policy.get('style-src')).toEqual(["'self'"]);
    // One style attribute, by its hash: SvelteKit's route announcer, which hides itself with
    // `style="position: absolute; …"`; without it the announcer's text shows on the page.
    expect(policy.get('style-src-attr')).toEqual([
      "'unsafe-hashes'",
      "'sha256-S8qMpvofolR8Mpjy4kQvEm7m1q8clzU4dfDH0AmvZjo='",
    ]);
    // Scripts are the build's <meta> policy (kit.csp, which hashes the inline bootstrap): a
    // script-src or default-src here would refuse that script, since it cannot know the hash.
    expect(policy.has('script-src')).toBe(false);
    expect(policy.has('default-src')).toBe(false);
    expect([...policy.values()].flat()).not.toContain("'unsafe-inline'");
    expect([...policy.values()].flat()).not.toContain("'unsafe-eval'");
  });

  it('when served over HTTPS, then browsers keep to HTTPS for two years and the page gets no camera, microphone or location', () => {
    expect(headers().get('strict-transport-security')).toBe('max-age=63072000; includeSubDomains');
    const permissions = headers().get('permissions-policy')!;
    for (const feature of ['camera', 'microphone', 'geolocation', 'payment', 'usb']) {
      expect(permissions).toContain(`${feature}=()`);
    }
  });
});

describe('the local stack’s policy', () => {
  it('when the stack derives its config, then its origins join connect-src and nothing else changes', () => {
    const hosting = readFirebaseJson().hosting as Parameters<typeof allowConnecting>[0];
    const local = allowConnecting(hosting, ['http://127.0.0.1:9099', 'http://127.0.0.1:5001']);
    const csp = (h: typeof hosting): string =>
      h.headers!.flatMap((r) => r.headers).find((x) => x.key === 'Content-Security-Policy')!.value;
    expect(connectSources(csp(local))).toEqual([
      ...connectSources(csp(hosting))!,
      'http://127.0.0.1:9099',
      'http://127.0.0.1:5001',
    ]);
    expect(csp(local).replace(/ http:\/\/127\.0\.0\.1:\d+/g, '')).toBe(csp(hosting));
  });

  it('when firebase.json has no policy, then deriving the config fails naming it', () => {
    expect(() => allowConnecting({ headers: [] }, ['http://127.0.0.1:1'])).toThrow(
      /Content-Security-Policy connect-src/,
    );
  });
});
