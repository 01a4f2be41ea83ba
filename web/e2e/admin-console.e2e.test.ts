// The admin console as people use it, against the whole local stack: an admin opens it,
// creates an API key (shown once), sees it listed, rotates and revokes it; the audit log shows the
// creation and its hash chain verifies; a member is kept out of the console. Then the admin makes
// the member an auditor (after confirming), who sees the console read-only, and back.
// Names, not ids: key owners, audit actors and targets show as emails and key names, and the
// Users and Usage pages find a user by email. Revoked keys are hidden until asked for; a tier
// changes only on confirm. Usage shows the cost per model. axe-core checks each changed page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startStack, type Stack } from '@colonycraft/testing';
import { axeViolations } from './axe.js';
import { launchChromium, screenshot } from './browser.js';
import { eventually, send, streamed, text, watchErrors } from './chat-page.js';

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[] = [];
let createdKey = '';

const KEY_NAME = 'Console e2e key';

beforeAll(async () => {
  stack = await startStack({ ports: 'free', web: true });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const user = (role: 'admin' | 'member') => stack.demoUsers.find((u) => u.role === role)!;
const roleSelect = (target: Page, role: 'admin' | 'member') =>
  target.getByLabel(`Role of ${user(role).email}`);

async function signIn(target: Page, role: 'admin' | 'member'): Promise<void> {
  await target.goto(stack.urls.web!);
  await target.waitForURL(/\/sign-in$/);
  await target.getByLabel('Email').fill(user(role).email);
  await target.getByLabel('Password').fill(user(role).password);
  await target.getByRole('button', { name: 'Sign in' }).click();
  await target.waitForURL((url) => url.pathname === '/');
}

const consoleNav = () => page.getByRole('navigation', { name: 'Admin console' });
const fitsWidth = () =>
  page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
/** Every table frame shows its table whole: on a phone, rows are cards, not a sideways scroll. */
const tablesFit = () =>
  page.evaluate(() =>
    [...document.querySelectorAll('.table-wrap')].every((el) => el.scrollWidth <= el.clientWidth),
  );
const keyRow = () => page.locator('tbody tr', { hasText: KEY_NAME });
const tierSelect = (target: Page, role: 'admin' | 'member') =>
  target.getByLabel(`Tier of ${user(role).email}`);

describe('admin console', () => {
  // The first test pays for the Functions emulator's cold starts (token exchange, catalog, chat),
  // which on a loaded machine take longer than one test's usual 30 s.
  it(
    'when an admin signs in, then the header links to the console, which opens',
    { timeout: 90_000 },
    async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
        origin: stack.urls.web!,
      });
      page = await context.newPage();
      errors = watchErrors(page);
      await signIn(page, 'admin');
      // One answer, so the usage page has a day to chart.
      await eventually(() => page.locator('option[value="local/echo"]').count()).toBe(1);
      await page.getByLabel('Model').selectOption('local/echo');
      await streamed(await send(page, 'Count this for usage.'));
      // The new chat takes its conversation's address once the answer has ended: wait for it,
      // or that navigation can overtake the click on Admin below.
      await page.waitForURL((url) => url.pathname.startsWith('/c/'));
      const link = page.locator('header').getByRole('link', { name: 'Admin' });
      await eventually(() => link.isVisible()).toBe(true);
      await link.click();
      await page.waitForURL((url) => url.pathname === '/admin');
      await eventually(() => page.getByRole('heading', { name: 'Admin console' }).count()).toBe(1);
      const providers = page.getByRole('link', { name: /^Provider keys/ });
      expect(await providers.getAttribute('href')).toBe('/admin/providers');
      expect(await consoleNav().getByRole('link', { name: 'Providers' }).count()).toBe(1);
      await screenshot(page, 'admin-1280');
    },
  );

  it('creates an API key and shows it once, with Copy and a warning', async () => {
    await consoleNav().getByRole('link', { name: 'API keys' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/keys');
    await page.getByRole('button', { name: 'Create key' }).click();
    const form = page.getByRole('dialog', { name: 'Create an API key' });
    await form.getByLabel('Name').fill(KEY_NAME);
    await form.getByLabel('Scopes').fill('*');
    await form.getByRole('button', { name: 'Create key' }).click();

    const shown = page.getByRole('dialog', { name: 'Your new API key' });
    await eventually(() => shown.isVisible()).toBe(true);
    expect(await text(shown)).toContain("It won't be shown again");
    createdKey = await shown.getByRole('textbox').inputValue();
    expect(createdKey).toMatch(/^cc_[A-Za-z0-9]{51}$/);
    await shown.getByRole('button', { name: 'Copy' }).click();
    await eventually(() => shown.getByRole('button', { name: 'Copied' }).count()).toBe(1);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(createdKey);
    await screenshot(page, 'admin-key-created-1280');
    await shown.getByRole('button', { name: 'Done' }).click();
    await eventually(() => shown.isVisible()).toBe(false);
  });

  it('lists the new key by prefix, never the key itself', async () => {
    await eventually(() => keyRow().count()).toBe(1);
    const row = await text(keyRow());
    expect(row).toContain(createdKey.slice(0, 11));
    expect(row).toContain('active');
    // The owner by email, not by uid.
    await eventually(() => text(keyRow())).toContain(user('admin').email);
    expect(await page.content()).not.toContain(createdKey);
    await screenshot(page, 'admin-keys-1280');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(300); // colour transitions
    await screenshot(page, 'admin-keys-1280-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('rotates the key with a grace period and shows the new key once', async () => {
    await keyRow()
      .getByRole('button', { name: `Rotate ${KEY_NAME}` })
      .click();
    const form = page.getByRole('dialog', { name: `Rotate “${KEY_NAME}”` });
    await form.getByLabel('Grace period amount').fill('2');
    await form.getByLabel('Grace period unit').selectOption('minutes');
    await form.getByRole('button', { name: 'Rotate key' }).click();
    const shown = page.getByRole('dialog', { name: 'Your new API key' });
    await eventually(() => shown.isVisible()).toBe(true);
    const rotated = await shown.getByRole('textbox').inputValue();
    expect(rotated).toMatch(/^cc_/);
    expect(rotated).not.toBe(createdKey);
    await shown.getByRole('button', { name: 'Done' }).click();
    await eventually(() => keyRow().count()).toBe(2);
    await eventually(() => text(keyRow().filter({ hasText: 'rotating' }))).toContain(
      createdKey.slice(0, 11),
    );
  });

  it('revokes the key after confirming', async () => {
    await keyRow()
      .filter({ hasText: 'active' })
      .getByRole('button', { name: `Revoke ${KEY_NAME}` })
      .click();
    const confirm = page.getByRole('dialog', { name: `Revoke “${KEY_NAME}”?` });
    await eventually(() => confirm.isVisible()).toBe(true);
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await eventually(() => confirm.isVisible()).toBe(false);
    // Hidden by default: only the rotating key is left in the list.
    await eventually(() => keyRow().count()).toBe(1);
    expect(await keyRow().filter({ hasText: 'revoked' }).count()).toBe(0);
  });

  it('when "Show revoked keys" is ticked, then the revoked key shows, with no actions', async () => {
    const show = page.getByRole('checkbox', { name: /Show revoked keys/ });
    expect(await show.isChecked()).toBe(false);
    await show.check();
    await eventually(() => keyRow().filter({ hasText: 'revoked' }).count()).toBe(1);
    expect(await keyRow().filter({ hasText: 'revoked' }).getByRole('button').count()).toBe(0);
    await screenshot(page, 'admin-keys-revoked-shown-1280');
    await show.uncheck();
    await eventually(() => keyRow().count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('shows the creation in the audit log, and the chain verifies', async () => {
    await consoleNav().getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/audit');
    await page.getByLabel('Action').fill('api_key.create');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const rows = page.locator('tbody tr');
    // The first, unfiltered page may still be showing: wait for the filtered one.
    await eventually(() => rows.filter({ hasNotText: 'api_key.create' }).count()).toBe(0);
    await eventually(() => rows.filter({ hasText: 'api_key.create' }).count()).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Verify chain' }).click();
    await eventually(() => page.getByText(/Chain ok: \d+ entries checked/).count()).toBe(1);
    await screenshot(page, 'admin-audit-1280');
  });

  it("names the actor by email and the target by key name, and filters by the actor's email", async () => {
    const row = page.locator('tbody tr', { hasText: KEY_NAME }).first();
    await eventually(() => text(row)).toContain(`key “${KEY_NAME}”`);
    expect(await text(row)).toContain(user('admin').email);
    await page.getByLabel('Action').fill('');
    await page.getByLabel('Actor').fill(user('member').email);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    // The member has changed nothing: an actor given by email matches their uid, not the text.
    await eventually(() => page.getByText('No entries match.').count()).toBe(1);
    await page.getByLabel('Actor').fill(user('admin').email);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const rows = page.locator('tbody tr');
    await eventually(() => rows.filter({ hasText: user('admin').email }).count()).toBeGreaterThan(
      0,
    );
    expect(await rows.filter({ hasNotText: user('admin').email }).count()).toBe(0);
    await screenshot(page, 'admin-audit-names-1280');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('shows usage per day for the admin by default', async () => {
    await consoleNav().getByRole('link', { name: 'Usage' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/usage');
    expect(await page.getByLabel('User', { exact: true }).inputValue()).toBe(user('admin').email);
    // The ledger is written after the answer: ask again until the day shows.
    await eventually(async () => {
      await page.getByRole('button', { name: 'Show usage' }).click();
      await page.waitForTimeout(300);
      return page.locator('figure[data-days]').getAttribute('data-days');
    }).toBe('1');
    // Chart.js has drawn on the canvas: some pixels are not transparent.
    const canvas = page.getByRole('img', { name: /Tokens per day/ }).locator('canvas');
    expect(
      await canvas.evaluate((el: HTMLCanvasElement) => {
        const { data } = el.getContext('2d')!.getImageData(0, 0, el.width, el.height);
        return data.some((value, i) => i % 4 === 3 && value > 0);
      }),
    ).toBe(true);
    // Its bars are the theme's accent, light or dark, resolved from the page's tokens.
    const painted = (rgb: number[]) =>
      canvas.evaluate((el: HTMLCanvasElement, [r, g, b]) => {
        const { data } = el.getContext('2d')!.getImageData(0, 0, el.width, el.height);
        for (let i = 0; i < data.length; i += 4) {
          if (data[i] === r && data[i + 1] === g && data[i + 2] === b && data[i + 3] === 255) {
            return true;
          }
        }
        return false;
      }, rgb);
    await eventually(() => painted([0x4f, 0x46, 0xe5])).toBe(true);
    await page.emulateMedia({ colorScheme: 'dark' });
    await eventually(() => painted([0x81, 0x8c, 0xf8])).toBe(true);
    await page.emulateMedia({ colorScheme: 'light' });
    const days = page.getByRole('region', { name: 'Usage table' }).locator('tbody tr');
    expect(await text(days.first())).toMatch(/^\d{4}-\d{2}-\d{2}1/);
    const models = page.getByRole('region', { name: 'Cost per model' });
    expect(await text(models.locator('tbody tr').first())).toMatch(/^local\/echo1/);
    await screenshot(page, 'admin-usage-1280');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('when "All users" is ticked, then the totals cover everyone, with a row per user', async () => {
    await page.getByRole('checkbox', { name: 'All users' }).check();
    expect(await page.getByLabel('User', { exact: true }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Show usage' }).click();
    await eventually(() => text(page.locator('.summary'))).toMatch(/^All users, /);
    const perUser = page.getByRole('region', { name: 'Usage per user' });
    await eventually(() => text(perUser.locator('tbody tr').first())).toContain(
      user('admin').email,
    );
    expect(await page.locator('figure[data-days]').getAttribute('data-days')).toBe('1');
    await screenshot(page, 'admin-usage-all-1280');
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await fitsWidth()).toBe(true);
    expect(await tablesFit()).toBe(true);
    await screenshot(page, 'admin-usage-all-390');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('checkbox', { name: 'All users' }).uncheck();
  });

  it('when the member is picked by email, then their usage shows (none yet)', async () => {
    await page.getByLabel('User', { exact: true }).fill(user('member').email);
    await page.getByRole('button', { name: 'Show usage' }).click();
    await eventually(() => page.getByText('No usage in this range.').count()).toBe(1);
    expect(await page.getByRole('region', { name: 'Cost per model' }).count()).toBe(0);
  });

  it('fits a 390 px phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await consoleNav().getByRole('link', { name: 'API keys' }).click();
    await eventually(() => keyRow().count()).toBe(1);
    expect(await fitsWidth()).toBe(true);
    // Stacked rows: each cell with its column's name, and no sideways scrolling.
    expect(await tablesFit()).toBe(true);
    expect(
      await keyRow()
        .locator('td')
        .first()
        .evaluate((td) => getComputedStyle(td, '::before').content),
    ).toBe('"Name"');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'admin-keys-390');
    await consoleNav().getByRole('link', { name: 'Users and roles' }).click();
    await eventually(() => page.getByText(user('member').email).count()).toBeGreaterThan(0);
    expect(await tablesFit()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'admin-users-390');
    await consoleNav().getByRole('link', { name: 'Audit log' }).click();
    await eventually(() =>
      page.locator('tbody tr', { hasText: 'api_key.' }).count(),
    ).toBeGreaterThan(0);
    expect(await fitsWidth()).toBe(true);
    expect(await tablesFit()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'admin-audit-390');
    expect(await fitsWidth()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('when a member opens /admin/users, then they see that they have no access', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const member = await context.newPage();
    const memberErrors = watchErrors(member);
    await signIn(member, 'member');
    await eventually(() =>
      member.locator('header').getByRole('link', { name: 'API keys' }).count(),
    ).toBe(1);
    expect(await member.locator('header').getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await member.goto(`${stack.urls.web}/admin/users`);
    await eventually(() =>
      member.getByRole('heading', { name: "You don't have access to the admin console" }).count(),
    ).toBe(1);
    expect(await member.getByRole('link', { name: 'Back to the chat' }).count()).toBe(1);
    expect(await member.locator('table').count()).toBe(0);
    expect(memberErrors).toEqual([]);
    await context.close();
  });

  it('when the admin searches by email, then only that user is listed', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await consoleNav().getByRole('link', { name: 'Users and roles' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/users');
    await eventually(() => roleSelect(page, 'member').count()).toBe(1);
    await page.getByLabel('Find a user').fill(user('member').email.toUpperCase());
    await eventually(() => page.locator('tbody tr').count()).toBe(1);
    expect(await text(page.locator('tbody tr'))).toContain(user('member').email);
    await page.getByLabel('Find a user').fill('nobody-matches-this');
    await eventually(() => page.getByText('No user matches.').count()).toBe(1);
    await screenshot(page, 'admin-users-search-1280');
    await page.getByLabel('Find a user').fill('');
    await eventually(() => roleSelect(page, 'admin').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('when the admin changes a tier, then it applies only on confirm', async () => {
    const confirm = page.getByRole('dialog', { name: 'Change tier?' });
    const before = await tierSelect(page, 'member').inputValue();
    await tierSelect(page, 'member').selectOption('unlimited');
    await eventually(() => confirm.isVisible()).toBe(true);
    expect(await text(confirm)).toContain(`${user('member').email} gets the unlimited tier`);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await eventually(() => tierSelect(page, 'member').inputValue()).toBe(before);
    await page.reload();
    await eventually(() => tierSelect(page, 'member').inputValue()).toBe(before);

    await tierSelect(page, 'member').selectOption('unlimited');
    await eventually(() => confirm.isVisible()).toBe(true);
    await confirm.getByRole('button', { name: 'Change tier' }).click();
    await eventually(() => confirm.isVisible()).toBe(false);
    await page.reload();
    await eventually(() => tierSelect(page, 'member').inputValue()).toBe('unlimited');

    // Back to the role's default, for the tests after this one.
    await tierSelect(page, 'member').selectOption('');
    await eventually(() => confirm.isVisible()).toBe(true);
    await confirm.getByRole('button', { name: 'Change tier' }).click();
    await eventually(() => confirm.isVisible()).toBe(false);
    await page.reload();
    await eventually(() => tierSelect(page, 'member').inputValue()).toBe('');
  });

  it('when the admin changes a role, then it asks first: Cancel keeps it, confirming changes it', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await consoleNav().getByRole('link', { name: 'Users and roles' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/users');
    await eventually(() => roleSelect(page, 'member').count()).toBe(1);
    expect(await roleSelect(page, 'member').inputValue()).toBe('member');

    const confirm = page.getByRole('dialog', { name: 'Change role?' });
    // As a keyboard user does: the select has the focus when it changes.
    await roleSelect(page, 'member').focus();
    await roleSelect(page, 'member').selectOption('auditor');
    await eventually(() => confirm.isVisible()).toBe(true);
    expect(await text(confirm)).toContain(`${user('member').email} becomes auditor`);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await eventually(() => confirm.isVisible()).toBe(false);
    // The select is put back when the dialog's close event arrives, a moment after it hides,
    // and the keyboard focus is back on it.
    await eventually(() => roleSelect(page, 'member').inputValue()).toBe('member');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      `Role of ${user('member').email}`,
    );

    await roleSelect(page, 'member').selectOption('auditor');
    await eventually(() => confirm.isVisible()).toBe(true);
    await confirm.getByRole('button', { name: 'Change role' }).click();
    await eventually(() => confirm.isVisible()).toBe(false);
    expect(await roleSelect(page, 'member').inputValue()).toBe('auditor');
    await page.reload();
    await eventually(() => roleSelect(page, 'member').inputValue()).toBe('auditor');
  });

  it('when the new auditor signs in, then the console is read-only', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const auditor = await context.newPage();
    const auditorErrors = watchErrors(auditor);
    const nav = () => auditor.getByRole('navigation', { name: 'Admin console' });
    await signIn(auditor, 'member');
    const link = auditor.locator('header').getByRole('link', { name: 'Admin' });
    await eventually(() => link.isVisible()).toBe(true);
    await link.click();
    await auditor.waitForURL((url) => url.pathname === '/admin');
    await eventually(() => auditor.getByText('Auditor · read-only').count()).toBe(1);

    // API keys: listed, with nothing to create, rotate or revoke.
    await nav().getByRole('link', { name: 'API keys' }).click();
    await auditor.waitForURL((url) => url.pathname === '/admin/keys');
    const rows = auditor.locator('tbody tr', { hasText: KEY_NAME });
    await eventually(() => rows.count()).toBe(1);
    expect(await auditor.getByText('Read-only: auditors can see keys').count()).toBe(1);
    expect(await auditor.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    expect(await auditor.getByRole('button', { name: /^(Rotate|Revoke)/ }).count()).toBe(0);

    // Users and roles: read, not changed.
    await nav().getByRole('link', { name: 'Users and roles' }).click();
    // The keys page names owners by email too: wait for the users page itself.
    await auditor.waitForURL((url) => url.pathname === '/admin/users');
    await eventually(() =>
      auditor.locator('tbody tr', { hasText: user('admin').email }).count(),
    ).toBe(1);
    expect(await auditor.locator('select').count()).toBe(0);
    expect(await auditor.getByText('Read-only: only admins change roles').count()).toBe(1);

    // The audit log is readable, the role change included, and its chain verifies.
    await nav().getByRole('link', { name: 'Audit log' }).click();
    await auditor.waitForURL((url) => url.pathname === '/admin/audit');
    await eventually(() =>
      auditor.locator('tbody tr', { hasText: 'user.role.set' }).count(),
    ).toBeGreaterThan(0);
    await auditor.getByRole('button', { name: 'Verify chain' }).click();
    await eventually(() => auditor.getByText(/Chain ok: \d+ entries checked/).count()).toBe(1);

    // Provider keys are for admins only: a note, no list, no actions.
    await nav().getByRole('link', { name: 'Providers' }).click();
    await auditor.waitForURL((url) => url.pathname === '/admin/providers');
    await eventually(() => auditor.getByText(/Provider keys are admin-only/).count()).toBe(1);
    expect(await auditor.getByRole('article').count()).toBe(0);
    expect(await auditor.getByRole('button', { name: /key for/ }).count()).toBe(0);
    await screenshot(auditor, 'admin-providers-auditor-1280');
    expect(auditorErrors).toEqual([]);
    await context.close();
  });

  it('when the admin sets the role back, then the member is a member again', async () => {
    await roleSelect(page, 'member').selectOption('member');
    const confirm = page.getByRole('dialog', { name: 'Change role?' });
    await eventually(() => confirm.isVisible()).toBe(true);
    await confirm.getByRole('button', { name: 'Change role' }).click();
    await eventually(() => confirm.isVisible()).toBe(false);
    await page.reload();
    await eventually(() => roleSelect(page, 'member').inputValue()).toBe('member');
    expect(errors).toEqual([]);
  });
});
