// The chat as a person uses it, against the whole local stack served by the Hosting emulator:
// sign in, pick a model, watch answers stream, stop one, find the conversation in History after
// a reload, rename and delete it; and an answer carrying hostile Markdown stays inert. All of it
// under the Content-Security-Policy Hosting serves, which nothing the app does may violate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startStack, type Stack } from '@colonycraft/testing';
import { launchChromium, screenshot, watchCspViolations } from './browser.js';
import {
  ECHO_PREFIX,
  answers,
  expectInert,
  eventually,
  historyNav,
  messageBox,
  questions,
  row,
  sampleWhileStreaming,
  send,
  smallTargets,
  streamed,
  text,
  versionsOf,
  watchErrors,
} from './chat-page.js';

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[] = [];
let violations: string[] = [];
let conversationPath = '';

const FIRST = 'What does a colony need first?';
const EDITED = 'What does a colony need most?';

beforeAll(async () => {
  stack = await startStack({ ports: 'free', web: true });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const member = () => stack.demoUsers.find((u) => u.role === 'member')!;
const historyLink = (name: string) => historyNav(page).getByRole('link', { name });

describe('sign in and chat', () => {
  it('when a visitor opens the app, then they are sent to sign in', async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: stack.urls.web!,
    });
    page = await context.newPage();
    errors = watchErrors(page);
    violations = await watchCspViolations(page);
    const response = await page.goto(stack.urls.web!);
    // firebase.json's policy, with this stack's emulators and admin API added to connect-src;
    // the scripts' half is the build's <meta> tag.
    const csp = response!.headers()['content-security-policy'];
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(stack.runtimeConfig.emulators!.auth);
    // `/` sends the visitor on before its app starts: the sign-in page is read once there.
    await page.waitForURL(/\/sign-in$/);
    await eventually(() => page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
    expect(await page.locator('meta[http-equiv="content-security-policy"]').count()).toBe(1);
    await screenshot(page, 'sign-in-1280');
  });

  it('when the seeded member signs in, then the chat opens and shows who is signed in', async () => {
    await page.getByLabel('Email').fill(member().email);
    await page.getByLabel('Password').fill(member().password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await eventually(() => page.locator('header').textContent()).toContain(member().email);
  });

  it('offers the models grouped by provider, with context window and prices', async () => {
    const picker = page.getByLabel('Model');
    await eventually(() => picker.locator('optgroup').count()).toBeGreaterThan(0);
    expect(await picker.locator('optgroup').first().getAttribute('label')).toBe('Local');
    expect(await text(picker.locator('option[value="local/echo"]'))).toMatch(/8K context · free/);
    await picker.selectOption('local/echo');
    expect(await picker.inputValue()).toBe('local/echo');
  });

  it('when the member sends a message, then the answer streams in and the chat gets an address', async () => {
    const answer = await send(page, FIRST);
    expect(await text(questions(page).last())).toBe(FIRST);

    // Sample the answer while it streams: it must grow through partial states, not appear whole.
    const expected = `${ECHO_PREFIX}${FIRST}`;
    const partials = (await sampleWhileStreaming(answer)).filter(
      (seen) => seen.length > 0 && seen !== expected,
    );
    expect(partials.length).toBeGreaterThan(0);
    for (const partial of partials) expect(expected.startsWith(partial)).toBe(true);
    await eventually(() => text(answer)).toBe(expected);

    // The first answer names the new conversation: the address and History follow.
    await page.waitForURL(/\/c\/[A-Za-z0-9]+$/);
    conversationPath = new URL(page.url()).pathname;
    await eventually(() => historyLink(FIRST).isVisible()).toBe(true);
    expect(await historyLink(FIRST).getAttribute('aria-current')).toBe('page');
  });

  it('when the member presses Stop mid-answer, then the text so far stays, marked stopped', async () => {
    const long = `Tell me ${'more and '.repeat(40)}then stop.`;
    const answer = await send(page, long);
    await eventually(() => text(answer)).not.toBe('');
    await page.getByRole('button', { name: 'Stop' }).click();
    await streamed(answer);
    const partial = await text(answer);
    expect(`${ECHO_PREFIX}${long}`.startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(`${ECHO_PREFIX}${long}`.length);
    await eventually(() => page.getByText('Stopped.').count()).toBe(1);
  });

  it('when Escape cancels a dialog while an answer streams, then the answer goes on', async () => {
    const long = `Tell me ${'again and '.repeat(80)}then end.`;
    const answer = await send(page, long);
    await eventually(() => text(answer)).not.toBe('');
    await historyNav(page)
      .getByRole('button', { name: `Delete “${FIRST}”` })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Delete this conversation?' });
    await eventually(() => dialog.isVisible()).toBe(true);
    // Some 170 words at 40 ms each: seconds of streaming left when Escape is pressed.
    expect(await answer.getAttribute('aria-busy')).toBe('true');
    await page.keyboard.press('Escape');
    await eventually(() => dialog.isVisible()).toBe(false);
    await streamed(answer);
    expect(await text(answer)).toBe(`${ECHO_PREFIX}${long}`);
    expect(await page.getByText('Stopped.').count()).toBe(1);
  });

  it('renders Markdown with highlighted code and a Copy button per code block', async () => {
    const answer = await send(page, "Code:\n```js\nconst colony = 'ready';\n```");
    await streamed(answer);
    const code = answer.locator('pre code.language-js');
    expect(await code.locator('.hljs-keyword').first().textContent()).toBe('const');
    await answer.getByRole('button', { name: 'Copy' }).click();
    await eventually(() => answer.getByRole('button', { name: 'Copied' }).count()).toBe(1);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      "const colony = 'ready';",
    );
    await screenshot(page, 'code-1280');
  });

  it('when an answer carries hostile Markdown and HTML, then none of it runs or stays active', async () => {
    const hostile = [
      'Look: <script>window.__pwned = "script"</script>',
      '<img src="x" onerror="window.__pwned = \'img\'">',
      '[click me](javascript:window.__pwned=%22link%22)',
      '<iframe src="javascript:window.__pwned=\'iframe\'"></iframe>',
      '<svg onload="window.__pwned = \'svg\'"><circle r="5"></circle></svg>',
      '<a href="#" onclick="window.__pwned = \'click\'">tap</a>',
    ].join('\n\n');
    const answer = await send(page, hostile);
    await streamed(answer);
    await answer.getByText('click me').click();
    await answer.getByText('tap').click();
    await page.waitForTimeout(200);

    await expectInert(page);
    // The hostile HTML shows as text, as written.
    expect(await text(answer)).toContain('<script>window.__pwned = "script"</script>');
  });

  it('regenerates an earlier answer and edits a message, keeping the old versions to go back to', async () => {
    const before = await answers(page).count();
    expect(before).toBeGreaterThan(2);
    // The second answer, not the last: the new one is shown in its place, without what followed.
    await row(answers(page).nth(1)).getByRole('button', { name: 'Regenerate' }).click();
    await eventually(() => answers(page).count()).toBe(2);
    await streamed(answers(page).nth(1));
    await eventually(() => versionsOf(answers(page).nth(1)).textContent()).toContain('2/2');
    // The first version comes back with every turn that followed it.
    await versionsOf(answers(page).nth(1))
      .getByRole('button', { name: 'Previous version' })
      .click();
    await eventually(() => answers(page).count()).toBe(before);
    expect(await versionsOf(answers(page).nth(1)).textContent()).toContain('1/2');

    await row(questions(page).first()).getByRole('button', { name: 'Edit message' }).click();
    await page.getByLabel('Edited message').fill(EDITED);
    await page.getByLabel('Edited message').press('Enter');
    await eventually(() => questions(page).count()).toBe(1);
    await streamed(answers(page).last());
    expect(await text(answers(page).last())).toBe(`${ECHO_PREFIX}${EDITED}`);
    expect(await versionsOf(questions(page).first()).textContent()).toContain('2/2');
    await screenshot(page, 'versions-1280');

    // Any message copies as written.
    await row(questions(page).first()).getByRole('button', { name: 'Copy message' }).click();
    await eventually(() => page.evaluate(() => navigator.clipboard.readText())).toBe(EDITED);
  });

  it('deletes a turn only after confirming, on the server too', async () => {
    await streamed(await send(page, 'One more thing'));
    expect(await questions(page).count()).toBe(2);
    await row(questions(page).last()).getByRole('button', { name: 'Delete this turn' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this turn?' });
    await eventually(() => dialog.isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await questions(page).count()).toBe(2);
    await row(questions(page).last()).getByRole('button', { name: 'Delete this turn' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await eventually(() => questions(page).count()).toBe(1);
  });

  it('after a reload, the conversation is open again and listed in History', async () => {
    await page.reload();
    await eventually(() => new URL(page.url()).pathname).toBe(conversationPath);
    await eventually(() => questions(page).count()).toBeGreaterThan(0);
    // The server shows the edit, keeps the original as another version, and the deleted turn is
    // gone.
    expect(await questions(page).count()).toBe(1);
    expect(await text(questions(page).first())).toBe(EDITED);
    expect(await text(answers(page).first())).toBe(`${ECHO_PREFIX}${EDITED}`);
    await eventually(() => versionsOf(questions(page).first()).textContent()).toContain('2/2');
    // The version chosen is kept on the server: the original, after a reload.
    await versionsOf(questions(page).first())
      .getByRole('button', { name: 'Previous version' })
      .click();
    await eventually(() => text(questions(page).first())).toBe(FIRST);
    await page.waitForTimeout(300); // selectBranch is on its way
    await page.reload();
    await eventually(() => questions(page).count()).toBeGreaterThan(1);
    expect(await text(questions(page).first())).toBe(FIRST);
    await versionsOf(questions(page).first()).getByRole('button', { name: 'Next version' }).click();
    await eventually(() => text(questions(page).first())).toBe(EDITED);
    await expectInert(page);
    await eventually(() => page.getByLabel('Model').inputValue()).toBe('local/echo');
    await eventually(() => historyLink(FIRST).isVisible()).toBe(true);
    await screenshot(page, 'chat-1280');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(300); // colour transitions
    await screenshot(page, 'chat-1280-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('New chat empties the page; History opens the conversation again', async () => {
    await historyNav(page).getByRole('button', { name: 'New chat' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    expect(await questions(page).count()).toBe(0);
    await historyLink(FIRST).click();
    await page.waitForURL((url) => url.pathname === conversationPath);
    await eventually(() => questions(page).count()).toBeGreaterThan(0);
    await screenshot(page, 'history-1280');
  });

  it('renames the conversation inline: Escape cancels, Enter saves', async () => {
    await historyNav(page)
      .getByRole('button', { name: `Rename “${FIRST}”` })
      .click();
    await page.getByLabel('Title').fill('Thrown away');
    await page.getByLabel('Title').press('Escape');
    expect(await historyLink(FIRST).isVisible()).toBe(true);

    await historyNav(page)
      .getByRole('button', { name: `Rename “${FIRST}”` })
      .click();
    await page.getByLabel('Title').fill('Colony planning');
    await page.getByLabel('Title').press('Enter');
    await eventually(() => historyLink('Colony planning').isVisible()).toBe(true);
    await page.reload();
    await eventually(() => historyLink('Colony planning').isVisible()).toBe(true);
  });

  it('on a 390 px phone, History hides behind a toggle', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await eventually(() => messageBox(page).isVisible()).toBe(true);
    expect(await historyNav(page).isVisible()).toBe(false);
    await eventually(() => page.getByLabel('Model').inputValue()).toBe('local/echo');
    // A message's actions are touch targets too.
    await expect(
      smallTargets(row(questions(page).first()), [
        ['button', 'Copy message'],
        ['button', 'Edit message'],
        ['button', 'Delete this turn'],
        ['button', 'Previous version'],
      ]),
    ).resolves.toEqual([]);
    await expect(
      smallTargets(row(answers(page).first()), [
        ['button', 'Copy answer'],
        ['button', 'Regenerate'],
      ]),
    ).resolves.toEqual([]);
    await screenshot(page, 'chat-390');
    const toggle = page.getByRole('button', { name: 'History' });
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await eventually(() => historyLink('Colony planning').isVisible()).toBe(true);
    await screenshot(page, 'history-390');
    await page.keyboard.press('Escape');
    await eventually(() => historyNav(page).isVisible()).toBe(false);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('deletes the conversation only after confirming', async () => {
    const remove = historyNav(page).getByRole('button', { name: 'Delete “Colony planning”' });
    await remove.click();
    const dialog = page.getByRole('dialog', { name: 'Delete this conversation?' });
    await eventually(() => dialog.isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await historyLink('Colony planning').isVisible()).toBe(true);

    await remove.click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await eventually(() => historyLink('Colony planning').count()).toBe(0);
    await page.waitForURL((url) => url.pathname === '/');
    await page.reload();
    await eventually(() => historyNav(page).getByText('No conversations yet').count()).toBe(1);
  });

  it('when the connection drops, then the message is kept and Retry sends it', async () => {
    await context.setOffline(true);
    await messageBox(page).fill('Are you there?');
    await messageBox(page).press('Enter');
    await eventually(() => page.getByRole('alert').getByText('Connection lost.').count()).toBe(1);
    expect(await messageBox(page).inputValue()).toBe('Are you there?');
    await context.setOffline(false);
    await page.getByRole('main').getByRole('button', { name: 'Retry' }).click();
    await streamed(answers(page).last());
    expect(await text(answers(page).last())).toBe(`${ECHO_PREFIX}Are you there?`);
    expect(await messageBox(page).inputValue()).toBe('');
  });

  it('when the member signs out, then they are back at sign-in, with no page errors', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    // The browser logs every 401 response as a console error; a token renewed after one (or a
    // request racing sign-out) is the app working as designed, not a page error.
    const pageErrors = errors.filter(
      (e) =>
        !/net::ERR_INTERNET_DISCONNECTED|Failed to fetch|status of 401 \(Unauthorized\)/.test(e),
    );
    expect(pageErrors).toEqual([]);
  });

  it('when the member has signed in, chatted and signed out, then nothing violated the CSP, which does refuse what it must', async () => {
    expect(violations).toEqual([]);
    // The watcher sees violations: an injected inline script does not run, and a fetch to an
    // origin the policy does not name is refused; both are reported.
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.body.append(script);
      return (window as { __inlineRan?: boolean }).__inlineRan ?? false;
    });
    expect(ran).toBe(false);
    const fetched = await page.evaluate(() =>
      fetch('https://example.com/leak').then(
        () => 'fetched',
        () => 'refused',
      ),
    );
    expect(fetched).toBe('refused');
    await eventually(() => violations.join('\n')).toMatch(/^script-src-elem refused inline/m);
    await eventually(() => violations.join('\n')).toMatch(
      /^connect-src refused https:\/\/example\.com\/leak/m,
    );
  });
});
