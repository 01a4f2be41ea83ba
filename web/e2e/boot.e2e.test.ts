// The web app's boot (issue 18): its frame is drawn from the HTML before any script runs (the
// account pages are prerendered; every other page shows app.html's starting frame), the
// runtime config is fetched beside the scripts rather than after them, once, the sign-in page
// loads neither the Functions SDK nor the signed-in stores, and the prerendered sign-in form
// is hydrated (not drawn again) and signs in. Served as production serves it: the Hosting
// emulator with firebase.json's headers, beside the Auth emulator.
// Orders only, no durations: `npm run bench:web` measures those. Screenshots at 1280 and 390 px.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startWebHosting, type WebHosting } from '@colonycraft/testing';
import { launchChromium, screenshot, watchCspViolations } from './browser.js';
import { eventually, watchErrors } from './chat-page.js';

let hosting: WebHosting;
let browser: Browser;

beforeAll(async () => {
  hosting = await startWebHosting();
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await hosting?.stop();
});

const SIZES = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

const signInButton = (page: Page) => page.getByRole('button', { name: 'Sign in' });

/** Each resource the page fetched: its path, and when its request started and its response ended. */
async function resources(
  page: Page,
): Promise<{ path: string; startTime: number; responseEnd: number }[]> {
  return page.evaluate(() =>
    performance.getEntriesByType('resource').map((entry) => ({
      path: new URL(entry.name).pathname,
      startTime: entry.startTime,
      responseEnd: (entry as PerformanceResourceTiming).responseEnd,
    })),
  );
}

describe('without JavaScript', () => {
  let context: BrowserContext;
  beforeAll(async () => {
    context = await browser.newContext({ javaScriptEnabled: false });
  });
  afterAll(() => context.close());

  it.each(SIZES)(
    'when /sign-in is opened at $width px, then its form is drawn from the HTML, its button off until the app starts',
    async ({ width, height }) => {
      const page = await context.newPage();
      await page.setViewportSize({ width, height });
      await page.goto(`${hosting.url}/sign-in`);
      expect(await page.getByRole('heading', { name: 'Sign in to ColonyCraft' }).isVisible()).toBe(
        true,
      );
      expect(await page.getByLabel('Email').isVisible()).toBe(true);
      expect(await page.getByLabel('Password').isVisible()).toBe(true);
      expect(await signInButton(page).isVisible()).toBe(true);
      // Enabled only by the app: a form submitted natively would carry the password away.
      expect(await signInButton(page).isDisabled()).toBe(true);
      expect(await page.getByRole('link', { name: 'Create an account' }).isVisible()).toBe(true);
      // The starting frame is for pages that are not prerendered.
      expect(await page.getByText('Starting ColonyCraft…').isVisible()).toBe(false);
      await screenshot(page, `boot-no-js-sign-in-${width}`);
      await page.close();
    },
  );

  it('when /register is opened, then its form is drawn from the HTML too', async () => {
    const page = await context.newPage();
    await page.goto(`${hosting.url}/register`);
    expect(await page.getByLabel('Email').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Create account' }).isDisabled()).toBe(true);
    await page.close();
  });

  it.each(SIZES)(
    'when the app is opened at / at $width px, then the starting frame is drawn and says JavaScript is needed',
    async ({ width, height }) => {
      const page = await context.newPage();
      await page.setViewportSize({ width, height });
      await page.goto(`${hosting.url}/`);
      expect(await page.getByRole('heading', { name: 'Starting ColonyCraft…' }).isVisible()).toBe(
        true,
      );
      // Inside <noscript>, which Playwright's text locators skip: read as a person sees it.
      expect(await page.locator('main').innerText()).toContain(
        'ColonyCraft needs JavaScript: turn it on and reload the page.',
      );
      await screenshot(page, `boot-no-js-start-${width}`);
      await page.close();
    },
  );
});

describe('with JavaScript', () => {
  it.each(['/sign-in', '/'])(
    'when %s loads, then runtime-config.json is requested before the app script, once, under the policy',
    async (path) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const violations = await watchCspViolations(page);
      const errors = watchErrors(page);
      const configRequests: string[] = [];
      page.on('request', (request) => {
        if (new URL(request.url()).pathname === '/runtime-config.json') {
          configRequests.push(request.url());
        }
      });
      await page.goto(`${hosting.url}${path}`);
      await page.waitForURL((url) => url.pathname === '/sign-in');
      await eventually(() => signInButton(page).isEnabled()).toBe(true);
      await page.waitForLoadState('networkidle');

      const loaded = await resources(page);
      const config = loaded.filter((entry) => entry.path === '/runtime-config.json');
      const scripts = loaded.filter((entry) => entry.path.endsWith('.js'));
      const entry = scripts.find((script) => /\/entry\/start\.[^/]+\.js$/.test(script.path));
      // The preloaded response is the one the app reads: no second request. `/` sends a visitor
      // never signed in here on to sign-in before its app starts: one request for each page.
      expect(configRequests).toHaveLength(path === '/' ? 2 : 1);
      expect(config).toHaveLength(1);
      expect(entry).toBeDefined();
      // Requested from the HTML's head, beside the scripts: no later than SvelteKit's entry
      // script, and before the first script has even arrived (it used to wait for them all).
      expect(config[0]!.startTime).toBeLessThanOrEqual(entry!.startTime);
      expect(config[0]!.startTime).toBeLessThan(Math.min(...scripts.map((s) => s.responseEnd)));
      expect(violations).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    },
  );

  it('when the sign-in page loads, then neither the Functions SDK nor the signed-in stores come with it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const scripts: Promise<string>[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') scripts.push(response.text());
    });
    await page.goto(`${hosting.url}/sign-in`);
    await eventually(() => signInButton(page).isEnabled()).toBe(true);
    await page.waitForLoadState('networkidle');
    const bodies = await Promise.all(scripts);
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) {
      expect(body).not.toContain('type.googleapis.com/google.protobuf.Int64Value'); // firebase/functions
      expect(body).not.toContain('colonycraft.draft.'); // the chat's draft store
    }
    await context.close();
  });

  it.each(SIZES)(
    'when the prerendered sign-in form is hydrated at $width px, then it stays the same form and signs in',
    async ({ width, height }) => {
      const email = `boot-${width}-${Date.now()}@colonycraft.test`;
      const password = 'boot-password-1';
      const created = await fetch(
        `${hosting.runtimeConfig.emulators!.auth}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo-api-key`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password, returnSecureToken: true }),
        },
      );
      expect(created.status).toBe(200);

      const context = await browser.newContext({ viewport: { width, height } });
      const page = await context.newPage();
      const violations = await watchCspViolations(page);
      // Marks the form the HTML drew, and notes if the app ever takes it out of the page.
      await page.addInitScript(() => {
        const state = window as unknown as { __formRemoved?: boolean };
        new MutationObserver((records) => {
          for (const record of records) {
            for (const node of record.removedNodes) {
              if (node instanceof Element && node.querySelector('#sign-in-title')) {
                state.__formRemoved = true;
              }
            }
          }
        }).observe(document, { childList: true, subtree: true });
      });
      await page.goto(`${hosting.url}/sign-in`);
      await eventually(() => signInButton(page).isEnabled()).toBe(true);
      expect(await page.evaluate(() => document.querySelectorAll('form').length)).toBe(1);
      expect(
        await page.evaluate(() => (window as unknown as { __formRemoved?: boolean }).__formRemoved),
      ).toBeUndefined();
      // The starting frame stays hidden: the page is the app's own from the start.
      expect(await page.getByText('Starting ColonyCraft…').isVisible()).toBe(false);
      await screenshot(page, `boot-sign-in-${width}`);

      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await signInButton(page).click();
      // Signed in, the page leaves for the chat (whose callables this server does not run).
      await page.waitForURL((url) => url.pathname === '/');
      expect(violations).toEqual([]);
      await context.close();
    },
  );
});
