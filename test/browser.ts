import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

/** Debian's Chromium: playwright-core drives it (it cannot download a browser here). */
export const CHROMIUM = '/usr/bin/chromium';
/** No background connections: this machine's closed network refuses them, many at a time. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const DESKTOP = { width: 1280, height: 800 };

/** A browser test's `skip`: no browser is a skip, unless USMS_TEST_REQUIRE_BROWSER=1 makes it a failure. */
export const browserSkip = existsSync(CHROMIUM) || process.env.USMS_TEST_REQUIRE_BROWSER === '1' ? false : `no browser at ${CHROMIUM} (USMS_TEST_REQUIRE_BROWSER=1 makes this a failure)`;

/** What a signed-in page needs from its test: where contexts are kept (closed by the test) and page errors noted. */
export interface BrowserSession {
  browser: Browser;
  baseUrl: string;
  contexts: BrowserContext[];
  pageErrors: string[];
  waitMs: number;
}

/** A browser of its own (cookies, storage) at `viewport`, signed in through the login form. */
export async function signIn(s: BrowserSession, viewport: { width: number; height: number }, user: { email: string; password: string }): Promise<Page> {
  const context = await s.browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'Asia/Shanghai' });
  s.contexts.push(context);
  context.setDefaultTimeout(s.waitMs);
  const page = await context.newPage();
  page.on('pageerror', (err) => s.pageErrors.push(`${user.email}: ${err.message}`));
  await page.goto(`${s.baseUrl}/console/`);
  await page.getByTestId('login-email').fill(user.email);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('page-overview').waitFor();
  return page;
}

/** Waits until `locator`'s text matches; the assertion names what was last seen. */
export async function textOf(locator: Locator, want: RegExp, waitMs: number): Promise<string> {
  const until = Date.now() + waitMs;
  let seen = '';
  for (;;) {
    seen = (await locator.textContent({ timeout: waitMs })) ?? '';
    if (want.test(seen)) return seen;
    if (Date.now() > until) assert.fail(`expected ${want} in "${seen}"`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
