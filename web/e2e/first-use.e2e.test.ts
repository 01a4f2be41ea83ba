// What a new user tripped on (issue 18, "Broken"), against the whole local stack: a new
// conversation stays in History when the first History page arrives after the first answer; a
// conversation's link opened signed out leads back to it after signing in; a rate-limit notice
// does not say to wait once it says to try again; a live answer shows its cost as it ends; long
// key names stay in their cells; and errors speak in plain words, with codes under Details.
// The standard tier (members) may stream one answer at a time here, so a second one is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { startRedisServer, startStack, type RedisServer, type Stack } from '@colonycraft/testing';
import { launchChromium, screenshot } from './browser.js';
import {
  ECHO_PREFIX,
  answers,
  eventually,
  historyNav,
  messageBox,
  questions,
  send,
  streamed,
  text,
  watchErrors,
} from './chat-page.js';

let redis: RedisServer;
let stack: Stack;
let browser: Browser;
/** The first conversation's address, made in the first test. */
let conversationPath = '';

const FIRST = 'Where should the first colony land?';
/** 90 characters and nowhere to break a line: the most a cell has to hold in one word. */
const LONG_KEY_NAME = `ColonySurveyDroneFleet${'NorthernRidge'.repeat(5)}Key`;

beforeAll(async () => {
  // Redis holds the limits: the Functions emulator answers each request in a worker process
  // of its own, so an in-process store would never see two answers at once.
  redis = await startRedisServer();
  stack = await startStack({
    ports: 'free',
    web: true,
    redisUrl: redis.url,
    env: { RATE_TIERS: JSON.stringify({ standard: { concurrency: 1 } }) },
  });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await redis?.stop();
});

const user = (role: 'admin' | 'member') => stack.demoUsers.find((u) => u.role === role)!;

async function newPage(width = 1280, height = 800): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } });
  return context.newPage();
}

/** Signs in on the sign-in page `page` is on (or is sent to). */
async function signInHere(page: Page, role: 'admin' | 'member'): Promise<void> {
  await page.waitForURL((url) => url.pathname === '/sign-in');
  await page.getByLabel('Email').fill(user(role).email);
  await page.getByLabel('Password').fill(user(role).password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signIn(page: Page, role: 'admin' | 'member'): Promise<void> {
  await page.goto(stack.urls.web!);
  await signInHere(page, role);
  await page.waitForURL((url) => url.pathname === '/');
}

async function pickEcho(page: Page): Promise<void> {
  await eventually(() => page.locator('option[value="local/echo"]').count()).toBe(1);
  await page.getByLabel('Model').selectOption('local/echo');
}

/** What a person sees of an element: its rendered text, folded <details> left out. */
const seen = (locator: Locator) => locator.innerText();

/** The line under an answer: model, tokens and cost. */
const metaOf = (page: Page) => page.locator('[role="log"] .row.assistant .meta').last();

describe('first use', () => {
  it(
    'when the first History page arrives after the first answer, then the new conversation stays listed',
    { timeout: 90_000 },
    async () => {
      const page = await newPage();
      const errors = watchErrors(page);
      // The first page of History is read at once, and held back until the first answer has
      // put its conversation on top: it is the list from before that conversation.
      let read!: () => void;
      let release!: () => void;
      let delivered!: () => void;
      const wasRead = new Promise<void>((resolve) => (read = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      const wasDelivered = new Promise<void>((resolve) => (delivered = resolve));
      let held = 0;
      await page.route(/\/listConversations$/, async (route) => {
        if (route.request().method() !== 'POST' || (held += 1) > 1) return route.continue();
        const response = await route.fetch();
        read();
        await released;
        await route.fulfill({ response });
        delivered();
      });

      await signIn(page, 'member');
      await pickEcho(page);
      await wasRead;
      const answer = await send(page, FIRST);
      await streamed(answer);
      await page.waitForURL(/\/c\/[A-Za-z0-9]+$/);
      conversationPath = new URL(page.url()).pathname;
      const link = historyNav(page).getByRole('link', { name: FIRST });
      await eventually(() => link.count()).toBe(1);
      expect(await historyNav(page).getByRole('status').count()).toBe(1); // still loading

      release();
      await wasDelivered;
      await eventually(() => historyNav(page).getByRole('status').count()).toBe(0);
      await page.waitForTimeout(300);
      expect(await link.count()).toBe(1);
      expect(await link.getAttribute('aria-current')).toBe('page');
      await screenshot(page, 'history-after-late-page-1280');
      expect(errors).toEqual([]);
      await page.context().close();
    },
  );

  it('when a conversation’s link is opened signed out, then signing in leads back to it', async () => {
    const page = await newPage();
    await page.goto(`${stack.urls.web!}${conversationPath}`);
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await screenshot(page, 'sign-in-from-link-1280');
    await signInHere(page, 'member');
    await page.waitForURL((url) => url.pathname === conversationPath, { timeout: 15_000 });
    await eventually(() => questions(page).count()).toBe(1);
    expect(await text(questions(page).first())).toBe(FIRST);
    await page.context().close();
  });

  it(
    'when a second answer at once is refused, then the notice counts down and stops saying to wait once Retry is enabled',
    { timeout: 60_000 },
    async () => {
      // Two tabs of the same member, ready to send.
      const first = await newPage();
      await signIn(first, 'member');
      await pickEcho(first);
      const other = await newPage();
      await signIn(other, 'member');
      await pickEcho(other);

      const long = `Tell me ${'more and '.repeat(100)}then stop.`;
      const streaming = await send(first, long);
      await eventually(() => text(streaming)).not.toBe('');

      await messageBox(other).fill('Am I too early?');
      await messageBox(other).press('Enter');
      const notice = other.getByRole('main').getByRole('alert');
      await eventually(() => notice.count()).toBe(1);
      expect(await seen(notice)).toContain('Too many answers at once — try again in');
      const retry = notice.getByRole('button', { name: 'Retry' });
      await eventually(() => retry.isEnabled()).toBe(true);

      const shown = await seen(notice);
      expect(shown).toContain('Too many answers at once — you can try again now');
      // Said once, not contradicted by the server's sentence beneath it.
      expect(shown).not.toMatch(/try again in/);
      // Plain words; the code is there for whoever asks, under Details.
      expect(shown).not.toContain('resource-exhausted');
      await screenshot(other, 'rate-limited-1280');
      await other.setViewportSize({ width: 390, height: 844 });
      await screenshot(other, 'rate-limited-390');
      await notice.getByText('Details').click();
      expect(await seen(notice)).toContain('functions/resource-exhausted');

      // Once the first answer has ended, Retry sends the message.
      await streamed(streaming);
      await retry.click();
      await streamed(answers(other).last());
      expect(await text(answers(other).last())).toBe(`${ECHO_PREFIX}Am I too early?`);
      await first.context().close();
      await other.context().close();
    },
  );

  it('when a live answer ends, then it shows its cost, as it does after a reload', async () => {
    const page = await newPage();
    await signIn(page, 'member');
    await pickEcho(page);
    await streamed(await send(page, 'What does this answer cost?'));
    // The cost comes with the call's final chunk, a moment after the last word.
    await eventually(() => seen(metaOf(page))).toMatch(
      /^local\/echo · \d+ tokens in · \d+ out · free$/,
    );
    const live = await seen(metaOf(page));
    await page.waitForURL(/\/c\/[A-Za-z0-9]+$/);
    await page.reload();
    await eventually(() => answers(page).count()).toBe(1);
    await eventually(() => seen(metaOf(page))).toBe(live);
    await screenshot(page, 'answer-cost-1280');
    await page.context().close();
  });

  it('when a key has a long name, then it stays inside its cell, for the member and in the console', async () => {
    /** What is wrong with the key's row: a cell spilling, a wide name, a row out of sight. */
    const rowProblems = async (page: Page) => {
      const row = page.locator('tbody tr', { hasText: LONG_KEY_NAME });
      await eventually(() => row.count()).toBe(1);
      return row.evaluate((tr, wide) => {
        const problems = [...tr.querySelectorAll('td')].flatMap((td) => {
          const cell = td.getBoundingClientRect();
          const spills = [...td.querySelectorAll('*')].some((child) => {
            const box = child.getBoundingClientRect();
            return box.right > cell.right + 1 || box.bottom > cell.bottom + 1;
          });
          return spills || td.scrollWidth > td.clientWidth + 1
            ? [`spills: ${td.textContent?.slice(0, 30)}`]
            : [];
        });
        // The name's lines are at most 20rem long: it wraps rather than widening its column.
        const text = document.createRange();
        text.selectNodeContents(tr.querySelector('td')!);
        const name = text.getBoundingClientRect().width;
        if (name > 20 * 16 + 1) problems.push(`name ${Math.round(name)} px wide`);
        const frame = tr.closest('.table-wrap')!;
        if (wide && frame.scrollWidth > frame.clientWidth + 1) {
          problems.push(`row ${frame.scrollWidth} px in a ${frame.clientWidth} px frame`);
        }
        return problems;
      }, page.viewportSize()!.width >= 1280);
    };

    const member = await newPage();
    await signIn(member, 'member');
    await member.locator('header').getByRole('link', { name: 'API keys' }).click();
    await member.waitForURL((url) => url.pathname === '/keys');
    await member.getByRole('button', { name: 'Create key' }).click();
    const form = member.getByRole('dialog', { name: 'Create an API key' });
    await form.getByLabel('Name').fill(LONG_KEY_NAME);
    await form.getByRole('button', { name: 'Create key' }).click();
    const shown = member.getByRole('dialog', { name: 'Your new API key' });
    await eventually(() => shown.isVisible()).toBe(true);
    await shown.getByRole('button', { name: 'Done' }).click();
    expect(await rowProblems(member)).toEqual([]);
    await screenshot(member, 'keys-long-name-1280');
    await member.setViewportSize({ width: 390, height: 844 });
    expect(await rowProblems(member)).toEqual([]);
    await screenshot(member, 'keys-long-name-390');

    const admin = await newPage();
    await signIn(admin, 'admin');
    await admin.goto(`${stack.urls.web!}/admin/keys`);
    expect(await rowProblems(admin)).toEqual([]);
    await screenshot(admin, 'admin-keys-long-name-1280');
    await admin.setViewportSize({ width: 390, height: 844 });
    expect(await rowProblems(admin)).toEqual([]);
    await screenshot(admin, 'admin-keys-long-name-390');
    await admin.context().close();
  });

  it('when sign-in or opening a conversation fails, then the notice is in plain words, with the code under Details', async () => {
    const page = await newPage();
    await page.goto(stack.urls.web!);
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await page.getByLabel('Email').fill(user('member').email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const refused = page.getByRole('alert');
    await eventually(() => refused.count()).toBe(1);
    expect(await seen(refused)).toContain('Wrong email or password');
    expect(await seen(refused)).not.toMatch(/auth\//);
    await screenshot(page, 'sign-in-refused-1280');
    await refused.getByText('Details').click();
    expect(await seen(refused)).toMatch(/auth\/(wrong-password|invalid-credential)/);

    await page.getByLabel('Password').fill(user('member').password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.goto(`${stack.urls.web!}/c/noSuchConversation1`);
    const missing = page.getByRole('main').getByRole('alert');
    await eventually(() => missing.count()).toBe(1);
    const words = await seen(missing);
    expect(words).toContain('This conversation does not exist');
    expect(words).not.toContain('conversationId');
    expect(words).not.toContain('functions/');
    await screenshot(page, 'conversation-missing-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'conversation-missing-390');
  });
});
