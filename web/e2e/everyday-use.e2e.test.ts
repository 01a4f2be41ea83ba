// What people who come from ChatGPT or Open WebUI expect of everyday use (issue 18), against
// one local stack: the keyboard (shortcuts, the sheet on `?`, a skip link, the message box
// before History in Tab order), History under date headings with titles as plain text in a
// wider sidebar, and math typeset by KaTeX beside tables and highlighted code, under the
// Content-Security-Policy, with none of that code on the sign-in page; and axe-core on every
// page, signed out, as a member and as an admin, light and dark, at 1280 and 390 px, finding no
// serious or critical violation. Screenshots at 1280 and 390 px.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Response } from 'playwright-core';
import { startStack, type Stack } from '@colonycraft/testing';
import { axeViolations } from './axe.js';
import { launchChromium, screenshot, watchCspViolations } from './browser.js';
import {
  answers,
  eventually,
  historyNav,
  messageBox,
  send,
  streamed,
  watchErrors,
} from './chat-page.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ ports: 'free', web: true });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const demoUser = (role: 'admin' | 'member') => stack.demoUsers.find((u) => u.role === role)!;

async function signedInPage(
  width = 1280,
  height = 800,
  prepare?: (page: Page) => Promise<void>,
  { role = 'member', colorScheme = 'light' }: SignedInOptions = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  const page = await context.newPage();
  await prepare?.(page);
  await page.goto(stack.urls.web!);
  await page.waitForURL((url) => url.pathname === '/sign-in');
  await page.getByLabel('Email').fill(demoUser(role).email);
  await page.getByLabel('Password').fill(demoUser(role).password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await eventually(() => page.locator('option[value="local/echo"]').count()).toBe(1);
  await page.getByLabel('Model').selectOption('local/echo');
  return page;
}

interface SignedInOptions {
  role?: 'admin' | 'member';
  colorScheme?: 'light' | 'dark';
}

/** What has the focus, in a person's words: its label, its aria-label or its text. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return '';
    const label = element.id ? document.querySelector(`label[for="${element.id}"]`) : null;
    return (label?.textContent ?? element.getAttribute('aria-label') ?? element.textContent ?? '')
      .trim()
      .replace(/\s+/g, ' ');
  });

const sheet = (page: Page) => page.getByRole('dialog', { name: 'Keyboard shortcuts' });

describe('keyboard', () => {
  it('when Tab is pressed first, then a skip link leads past History to the message box, which comes before History', async () => {
    const page = await signedInPage();
    const errors = watchErrors(page);
    // Tab from the top of the page (the chat puts the cursor in the message box as it opens).
    const fromTheTop = () =>
      page.evaluate(() => {
        document.body.tabIndex = -1;
        document.body.focus();
        document.body.removeAttribute('tabindex');
      });
    await fromTheTop();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Skip to the message box');
    await screenshot(page, 'keyboard-skip-link-1280');
    await page.keyboard.press('Enter');
    expect(await focused(page)).toBe('Message');

    // From the top of the page, Tab reaches the message box before anything in History.
    await fromTheTop();
    const order: string[] = [];
    for (let i = 0; i < 25 && !order.includes('New chat'); i += 1) {
      await page.keyboard.press('Tab');
      order.push(await focused(page));
    }
    expect(order).toContain('Message');
    expect(order).toContain('New chat');
    expect(order.indexOf('Message')).toBeLessThan(order.indexOf('New chat'));
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('when ? is pressed outside a field, then the shortcuts sheet opens; in the message box it is a question mark', async () => {
    const page = await signedInPage();
    const violations = await watchCspViolations(page);
    await messageBox(page).fill('Why');
    await messageBox(page).press('?');
    expect(await messageBox(page).inputValue()).toBe('Why?');
    expect(await sheet(page).count()).toBe(0);

    await page.getByRole('button', { name: 'History' }).focus();
    await page.keyboard.press('?');
    await eventually(() => sheet(page).isVisible()).toBe(true);
    const rows = await sheet(page).locator('.row').allInnerTexts();
    expect(rows.map((row) => row.replace(/\s+/g, ' ').trim())).toEqual([
      'New chat Ctrl + Shift + O',
      'Focus the message box Shift + Esc',
      'Show or hide History Ctrl + Shift + S',
      'Show these shortcuts ?',
    ]);
    await screenshot(page, 'keyboard-shortcuts-1280');
    await page.keyboard.press('Escape');
    await eventually(() => sheet(page).isVisible()).toBe(false);
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('when Shift+Esc, Ctrl+Shift+S and Ctrl+Shift+O are pressed, then they focus the message box, hide and show History, and start a new chat', async () => {
    const page = await signedInPage();
    await page.getByLabel('Model').focus();
    await page.keyboard.press('Shift+Escape');
    expect(await focused(page)).toBe('Message');

    await page.keyboard.press('Control+Shift+S');
    await eventually(() => historyNav(page).isVisible()).toBe(false);
    const toggle = page.getByRole('button', { name: 'History' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Control+Shift+S');
    await eventually(() => historyNav(page).isVisible()).toBe(true);

    const answer = await send(page, 'Remember the northern ridge.');
    await streamed(answer);
    await page.waitForURL(/\/c\/[A-Za-z0-9]+$/);
    await page.getByLabel('Model').focus();
    await page.keyboard.press('Control+Shift+O');
    await page.waitForURL((url) => url.pathname === '/');
    await eventually(() => answers(page).count()).toBe(0);
    expect(await focused(page)).toBe('Message');
    await page.context().close();
  });

  it('on a phone, Ctrl+Shift+S opens and closes the History drawer and ? shows the sheet', async () => {
    const page = await signedInPage(390, 844);
    expect(await historyNav(page).isVisible()).toBe(false);
    await page.keyboard.press('Control+Shift+S');
    await eventually(() => historyNav(page).isVisible()).toBe(true);
    await page.keyboard.press('Control+Shift+S');
    await eventually(() => historyNav(page).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'History' }).focus();
    await page.keyboard.press('?');
    await eventually(() => sheet(page).isVisible()).toBe(true);
    await screenshot(page, 'keyboard-shortcuts-390');
    await page.context().close();
  });
});

const DAY = 86_400_000;
const startOfToday = () => new Date().setHours(0, 0, 0, 0);

/** A month of History, as the server would list it: newest first, titles as models write them. */
function pastConversations() {
  const today = startOfToday();
  const made = (id: string, title: string, updatedAt: number) => ({
    id,
    title,
    createdAt: updatedAt,
    updatedAt,
    messageCount: 2,
    lastModel: 'local/echo',
  });
  return [
    made('today', '**Landing** site for `colony-1`', today + 60_000),
    made('yesterday', '## Water reclamation plan', today - 12 * 3_600_000),
    made('week', 'See [the survey](https://example.com/survey) notes', today - 4 * DAY),
    made('month', '*Power* budget, __revised__', today - 20 * DAY),
    made('older', 'Hydroponics_bay layout', today - 75 * DAY),
    made('last-year', 'First contact protocol', today - 400 * DAY),
  ];
}

/** History's first page answered with `pastConversations()` instead of the server's. */
async function withPastConversations(page: Page): Promise<void> {
  const conversations = pastConversations();
  await page.route(/\/listConversations$/, (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({ json: { result: { conversations } } })
      : route.continue(),
  );
}

describe('History', () => {
  it('when conversations span months, then they sit under Today, Yesterday, Previous 7 and 30 days and their months, titled without Markdown, in a wider sidebar', async () => {
    const page = await signedInPage(1280, 800, withPastConversations);
    const nav = historyNav(page);
    await eventually(() => nav.getByRole('link').count()).toBe(6);
    const headings = await nav.getByRole('heading', { level: 3 }).allInnerTexts();
    expect(headings.slice(0, 4).map((h) => h.toLowerCase())).toEqual([
      'today',
      'yesterday',
      'previous 7 days',
      'previous 30 days',
    ]);
    expect(headings).toHaveLength(6);
    expect(headings[5]).toMatch(/\d{4}$/); // more than a year ago: the month and its year
    // Each heading names its list (a region), which holds its conversations.
    const today = nav.getByRole('region', { name: 'Today' });
    expect(await today.getByRole('link').allInnerTexts()).toEqual(['Landing site for colony-1']);
    expect(await nav.getByRole('link').allInnerTexts()).toEqual([
      'Landing site for colony-1',
      'Water reclamation plan',
      'See the survey notes',
      'Power budget, revised',
      'Hydroponics_bay layout',
      'First contact protocol',
    ]);
    expect(await nav.getByRole('button', { name: 'Delete “Water reclamation plan”' }).count()).toBe(
      1,
    );
    const width = await nav.evaluate((element) => element.getBoundingClientRect().width);
    expect(width).toBeGreaterThanOrEqual(320);
    await screenshot(page, 'history-groups-1280');
    await page.context().close();
  });

  it('on a phone, the History drawer shows the same headings', async () => {
    const page = await signedInPage(390, 844, withPastConversations);
    await page.getByRole('button', { name: 'History' }).click();
    const nav = historyNav(page);
    await eventually(() => nav.getByRole('link').count()).toBe(6);
    expect((await nav.getByRole('heading', { level: 3 }).allInnerTexts())[0]?.toLowerCase()).toBe(
      'today',
    );
    await screenshot(page, 'history-groups-390');
    await page.context().close();
  });
});

/** An answer with every kind of math, a table and code: local/echo says it back. */
const RICH = [
  'Inline $E = mc^2$ and \\(\\alpha + \\beta\\), but $5 and $10 are prices.',
  '$$\n\\int_0^1 x^2\\,dx = \\frac{1}{3}\n$$',
  '\\[\n\\sqrt{a^2 + b^2} = c\n\\]',
  '| planet | gravity |\n|---|---|\n| Mars | $3.7\\ \\mathrm{m/s^2}$ |',
  '```ts\nconst colony: string = "Mars";\n```',
  '$\\href{javascript:window.__pwned="math"}{click}$',
].join('\n\n');

describe('math and rich content', () => {
  it('when an answer holds LaTeX, a table and code, then KaTeX typesets the math with its own fonts, under the policy', async () => {
    const page = await signedInPage();
    const violations = await watchCspViolations(page);
    const errors = watchErrors(page);
    const fonts: Response[] = [];
    page.on('response', (response) => {
      if (/\.woff2?$/.test(response.url())) fonts.push(response);
    });
    await send(page, RICH);
    // The first answer moves the chat to the conversation's address, which draws it anew.
    await page.waitForURL(/\/c\/[A-Za-z0-9]+$/);
    const answer = answers(page).last();
    await streamed(answer);

    await eventually(() => answer.locator('.katex').count()).toBe(6);
    expect(await answer.locator('.katex-display').count()).toBe(2);
    // The prices stayed text; the TeX is typeset, not shown.
    const shown = await answer.innerText();
    expect(shown).toContain('but $5 and $10 are prices.');
    expect(shown).not.toContain('\\frac');
    // Typeset with KaTeX's fonts, loaded from the app itself.
    const family = () =>
      answer
        .locator('.katex')
        .first()
        .evaluate((element) => getComputedStyle(element).fontFamily);
    await eventually(family).toContain('KaTeX_Main');
    await eventually(() => fonts.length).toBeGreaterThan(0);
    for (const font of fonts) {
      expect(new URL(font.url()).origin).toBe(new URL(stack.urls.web!).origin);
      expect(font.status()).toBe(200);
    }
    const fraction = answer.locator('.katex-display .mfrac').first();
    expect((await fraction.boundingBox())?.height).toBeGreaterThan(20);
    // MathML beside the HTML, for screen readers.
    expect(await answer.locator('.katex-mathml math').count()).toBe(6);

    expect(await answer.locator('table td .katex').count()).toBe(1);
    expect(await answer.locator('pre code.hljs.language-ts .hljs-keyword').count()).toBeGreaterThan(
      0,
    );
    // \href is refused (trust: false): no link, nothing ran.
    expect(await answer.locator('.katex a').count()).toBe(0);
    await answer.locator('.katex').last().click();
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    await screenshot(page, 'math-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'math-390');
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('when hostile HTML sits inside math, then it stays text and nothing runs', async () => {
    const page = await signedInPage();
    const answer = await send(
      page,
      '$<img src=x onerror="window.__pwned=1">$ and $$<script>window.__pwned=2</script>$$',
    );
    await streamed(answer);
    // Neither is TeX KaTeX can read: both show as its error text, typeset or not, inert.
    await eventually(() => answer.locator('.katex, .katex-error').count()).toBe(2);
    expect(await answer.innerText()).toContain('window.__pwned=2');
    await page.waitForTimeout(200);
    expect(await answer.locator('img, script').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    await page.context().close();
  });

  it('when the sign-in page loads, then no Markdown, highlight or KaTeX code comes with it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const scripts: Response[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') scripts.push(response);
    });
    // Opened directly: a visitor sent on from `/` leaves that page before its app starts, and a
    // page left takes its responses' bodies with it (boot.e2e covers that way in).
    await page.goto(new URL('/sign-in', stack.urls.web!).href);
    await eventually(() => page.getByRole('button', { name: 'Sign in' }).isEnabled()).toBe(true);
    await page.waitForLoadState('networkidle');
    expect(scripts.length).toBeGreaterThan(0);
    const bodies = await Promise.all(scripts.map((response) => response.text()));
    for (const body of bodies) {
      expect(body).not.toContain('KaTeX parse error'); // KaTeX
      expect(body).not.toContain('Infinite loop on byte'); // marked
      expect(body).not.toContain('registerLanguage'); // highlight.js
    }
    await context.close();
  });
});

describe('accessibility', () => {
  /** Opens each path in turn (by the app's own links, as a person would) and runs axe on it. */
  async function check(
    page: Page,
    paths: readonly string[],
    ready: (path: string) => Promise<void>,
  ) {
    const found: string[] = [];
    for (const path of paths) {
      await page.goto(new URL(path, stack.urls.web!).href);
      await ready(path);
      found.push(...(await axeViolations(page)).map((line) => `${path}: ${line}`));
    }
    return found;
  }

  const ACCOUNT_PAGES = ['/sign-in', '/register', '/reset-password'];
  const MEMBER_PAGES = ['/', '/keys'];
  const ADMIN_PAGES = [
    '/admin',
    '/admin/keys',
    '/admin/users',
    '/admin/audit',
    '/admin/usage',
    '/admin/providers',
  ];
  /** The page has drawn what it loads: no "Loading…" or "Checking your session…" left. */
  const settled = (page: Page) => async () => {
    await page.locator('main').first().waitFor();
    await eventually(() =>
      page.locator('[role="status"]:visible, [aria-busy="true"]').count(),
    ).toBe(0);
  };

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`signed out, in ${colorScheme} mode, the account pages have no serious or critical violation at 1280 and 390 px`, async () => {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        colorScheme,
      });
      const page = await context.newPage();
      const found = await check(page, ACCOUNT_PAGES, settled(page));
      await page.setViewportSize({ width: 390, height: 844 });
      const phone = await check(page, ACCOUNT_PAGES, settled(page));
      expect([...found, ...phone.map((line) => `at 390: ${line}`)]).toEqual([]);
      // The check sees what it should: a button without a name is a critical violation.
      await page.evaluate(() =>
        document.querySelector('main')?.append(document.createElement('button')),
      );
      expect((await axeViolations(page)).join('\n')).toMatch(/^button-name \(critical\)/);
      await context.close();
    });

    it(`a member, in ${colorScheme} mode: the chat with an answer, History (also as the phone's drawer), the shortcuts sheet and the keys page have none`, async () => {
      const page = await signedInPage(1280, 800, withPastConversations, { colorScheme });
      await eventually(() => historyNav(page).getByRole('link').count()).toBe(6);
      const answer = await send(page, 'Orbit: $r = a(1 - e^2)$\n\n```ts\nconst x = 1;\n```');
      await streamed(answer);
      await eventually(() => answer.locator('.katex').count()).toBe(1);
      const found = (await axeViolations(page)).map((line) => `chat: ${line}`);
      await screenshot(page, `a11y-chat-${colorScheme}-1280`);
      await page.getByRole('button', { name: 'History' }).focus();
      await page.keyboard.press('?');
      await eventually(() => sheet(page).isVisible()).toBe(true);
      found.push(...(await axeViolations(page)).map((line) => `sheet: ${line}`));
      await page.keyboard.press('Escape');
      // On a phone, with the History drawer open over the chat.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole('button', { name: 'History' }).click();
      await eventually(() => historyNav(page).isVisible()).toBe(true);
      found.push(...(await axeViolations(page)).map((line) => `chat at 390: ${line}`));
      await screenshot(page, `a11y-history-${colorScheme}-390`);
      found.push(...(await check(page, MEMBER_PAGES.slice(1), settled(page))));
      expect(found).toEqual([]);
      await page.context().close();
    });

    it(`an admin, in ${colorScheme} mode: every console page has none, at 1280 and 390 px`, async () => {
      const page = await signedInPage(1280, 800, undefined, { role: 'admin', colorScheme });
      const found = await check(page, ADMIN_PAGES, settled(page));
      await page.setViewportSize({ width: 390, height: 844 });
      const phone = await check(page, ADMIN_PAGES, settled(page));
      expect([...found, ...phone.map((line) => `at 390: ${line}`)]).toEqual([]);
      await page.context().close();
    });
  }
});
