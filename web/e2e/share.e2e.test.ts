// Sharing a conversation, against the whole local stack in Chromium: the owner shares it from
// History and copies the link; a visitor in a fresh browser that never signed in opens it (at
// 1280×800 and 390×844) and reads the snapshot: its picture, and the answers rendered by the
// chat's Markdown with hostile HTML inert; a message sent after sharing is absent; axe-core
// finds no serious or critical violation. The owner stops sharing, and the link then says so in
// one plain sentence. All under the app's CSP. The first calls wait up to a minute (`coldly`):
// each function's emulator worker starts on its first call, slowly on a loaded machine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { greyPng, startStack, type Stack } from '@colonycraft/testing';
import { axeViolations } from './axe.js';
import { launchChromium, screenshot, watchCspViolations } from './browser.js';
import { answers, eventually, historyNav, messageBox, watchErrors } from './chat-page.js';

let stack: Stack;
let browser: Browser;
let owner: Page;
let link: string;
/** Each page's CSP violations, watched as long as the page lives. */
const violations: string[][] = [];

const TITLE = 'Harvest plan for the north field';
const HOSTILE = 'Use **bold** and <img src=x onerror="window.__pwned=1"> here';
const LATER = 'A later question, not shared';
const GONE = 'This shared conversation does not exist or is no longer shared.';

beforeAll(async () => {
  stack = await startStack({ ports: 'free', web: true });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** For the first calls, which wait for the emulator's workers to start on a loaded machine. */
const coldly = <T>(read: () => T | Promise<T>) =>
  expect.poll(read, { timeout: 60_000, interval: 100 });

const member = () => stack.demoUsers.find((u) => u.role === 'member')!;
const shareButton = () => historyNav(owner).getByRole('button', { name: `Share “${TITLE}”` });
const dialog = () => owner.getByRole('dialog', { name: `Share “${TITLE}”` });

/**
 * Sends `message` and waits until its answer has finished. The answer is found anew on each
 * look (a locator, not an element handle): opening the new chat's address may render it again.
 */
async function ask(message: string): Promise<void> {
  const before = await answers(owner).count();
  await messageBox(owner).fill(message);
  await messageBox(owner).press('Enter');
  const answer = answers(owner).nth(before);
  await coldly(() => answer.getAttribute('aria-busy')).toBe('false');
}

/** A browser that has never signed in, opening `link`. */
async function visitor(width: number, height: number): Promise<{ page: Page; errors: string[] }> {
  const context: BrowserContext = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  violations.push(await watchCspViolations(page));
  await page.goto(link);
  return { page, errors };
}

/** Nothing in the shared messages can run script: none ran, no active element was left. */
async function expectInert(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
  const messages = page.getByRole('list', { name: 'Messages' });
  expect(
    await messages
      .locator('script, iframe, object, embed, form, [data-role="assistant"] img')
      .count(),
  ).toBe(0);
  const active = await messages.evaluate((root) =>
    [...root.querySelectorAll('*')].flatMap((element) =>
      [...element.attributes]
        .filter((a) => a.name.startsWith('on') || /^\s*javascript:/i.test(a.value))
        .map((a) => `${element.tagName}[${a.name}]`),
    ),
  );
  expect(active).toEqual([]);
}

describe('sharing a conversation', () => {
  it('when the owner shares from History, then the dialog gives a link and copies it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(30_000);
    owner = await context.newPage();
    violations.push(await watchCspViolations(owner));
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: stack.urls.web!,
    });
    await owner.goto(stack.urls.web!);
    await owner.waitForURL((url) => url.pathname === '/sign-in');
    await owner.getByLabel('Email').fill(member().email);
    await owner.getByLabel('Password').fill(member().password);
    await owner.getByRole('button', { name: 'Sign in' }).click();
    await owner.waitForURL((url) => url.pathname === '/');
    await coldly(() => owner.locator('option[value="local/vision-echo"]').count()).toBe(1);
    await owner.getByLabel('Model').selectOption('local/vision-echo');
    // The first question carries a picture, which the snapshot keeps.
    await owner.locator('input[type="file"]').setInputFiles({
      name: 'field.png',
      mimeType: 'image/png',
      buffer: greyPng(64, 48),
    });
    await eventually(() =>
      owner.getByRole('list', { name: 'Images to send' }).getByRole('img').count(),
    ).toBe(1);

    await ask(TITLE);
    // The new chat gets its address and its place in History before the next message.
    await owner.waitForURL(/\/c\/[A-Za-z0-9]+$/);
    await coldly(() => shareButton().count()).toBe(1);
    await ask(HOSTILE);

    await shareButton().click();
    await eventually(() => dialog().isVisible()).toBe(true);
    await dialog().getByRole('button', { name: 'Create link' }).click();
    const field = dialog().getByLabel('Link');
    await coldly(() => field.isVisible()).toBe(true);
    link = await field.inputValue();
    expect(link).toMatch(new RegExp(`^${stack.urls.web!}/s/[A-Za-z0-9]{20}$`));
    expect((await dialog().innerText()).replace(/\s+/g, ' ')).toMatch(
      /as it was on .+ \(4 messages\)/,
    );

    await dialog().getByRole('button', { name: 'Copy' }).click();
    await eventually(() => dialog().getByRole('status').textContent()).toBe('Link copied.');
    expect(await owner.evaluate(() => navigator.clipboard.readText())).toBe(link);
    expect(await axeViolations(owner)).toEqual([]);
    await screenshot(owner, 'share-dialog-1280');
    await dialog().getByRole('button', { name: 'Done' }).click();
    await eventually(() => dialog().count()).toBe(0);

    // A message sent after sharing stays out of the snapshot.
    await ask(LATER);
  }, 180_000);

  it('when a visitor who never signed in opens the link, then they read the snapshot, not asked to sign in', async () => {
    for (const [width, height] of [
      [1280, 800],
      [390, 844],
    ] as const) {
      const { page, errors } = await visitor(width, height);
      await coldly(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(TITLE);
      expect(new URL(page.url()).pathname).toMatch(/^\/s\/[A-Za-z0-9]{20}$/);
      expect(await page.getByText('A read-only snapshot, shared on').isVisible()).toBe(true);

      const messages = page.getByRole('list', { name: 'Messages' });
      const questions = messages.locator('[data-role="user"]');
      const answers = messages.locator('[data-role="assistant"]');
      expect(await questions.locator('p').allInnerTexts()).toEqual([TITLE, HOSTILE]);
      expect(await answers.count()).toBe(2);
      // The answer is Markdown, rendered: bold is bold, the raw HTML is text.
      await eventually(() => answers.nth(1).locator('strong').textContent()).toBe('bold');
      expect(await answers.nth(1).textContent()).toContain('<img src=x onerror=');
      expect(await page.getByText(LATER).count()).toBe(0);
      // The picture the first question carried, loaded from its blob: address under the CSP.
      const image = questions.nth(0).getByRole('img');
      await eventually(() => image.evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBe(64);
      await expectInert(page);

      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, `share-page-${width}`);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  }, 120_000);

  it('when the owner stops sharing, on a phone, then the link says in plain words that it is not shared', async () => {
    // On a phone, History is a drawer: Share is in it, and the dialog fits the screen.
    await owner.setViewportSize({ width: 390, height: 844 });
    await owner.getByRole('button', { name: 'History' }).click();
    await shareButton().click();
    await coldly(() => dialog().getByLabel('Link').isVisible()).toBe(true);
    // Sharing again gives the same link: one per conversation.
    expect(await dialog().getByLabel('Link').inputValue()).toBe(link);
    const box = await dialog().boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    expect(await axeViolations(owner)).toEqual([]);
    await screenshot(owner, 'share-dialog-390');
    await dialog().getByRole('button', { name: 'Stop sharing' }).click();
    await coldly(() => dialog().getByRole('button', { name: 'Create link' }).isVisible()).toBe(
      true,
    );
    await dialog().getByRole('button', { name: 'Close' }).click();

    for (const [width, height] of [
      [1280, 800],
      [390, 844],
    ] as const) {
      const { page, errors } = await visitor(width, height);
      await coldly(() => page.getByText(GONE).isVisible()).toBe(true);
      expect(new URL(page.url()).pathname).toMatch(/^\/s\//);
      expect(await page.getByText(/functions\/|not-found/).count()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, `share-gone-${width}`);
      // The callable's not-found is logged by the browser as a failed request, nothing else.
      expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
      await page.context().close();
    }
    expect(violations.flat()).toEqual([]);
  }, 120_000);
});
