import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startSimulator, type Simulator } from '../src/smpp/simulator.ts';
import { browserSkip, CHROMIUM, CHROMIUM_ARGS, DESKTOP, signIn as signInAs, textOf as waitForText } from './browser.ts';
import { ServerProcess, ucloudGet, type Credentials } from './harness.ts';

/**
 * The console in a real browser against the real server: every scenario clicks and types through the
 * pages (their data-testid hooks) and checks what the page shows. The same run takes the screenshots of
 * docs/console/ (written there with USMS_UPDATE_SCREENSHOTS=1, else to a temporary folder).
 */

const PHONE = { width: 375, height: 800 };
/** How long a page may take to show what a scenario waits for (receipts, binds, 1,000 sends). */
const WAIT_MS = 30_000;

const skip = browserSkip;

describe('console in a browser', { skip, timeout: 240_000 }, () => {
  let server: ServerProcess;
  let browser: Browser;
  let account: { creds: Credentials; sender: string; templateIds: string[] };
  const users = { customer: { email: 'admin@shop.example', password: '' }, operator: { email: 'ops@usms.example', password: '' } };
  const temp = mkdtempSync(join(tmpdir(), 'usms-browser-'));
  const screenshots = process.env.USMS_UPDATE_SCREENSHOTS === '1' ? join(import.meta.dirname, '..', 'docs', 'console') : join(temp, 'screenshots');
  const contexts: BrowserContext[] = [];
  let customer: Page;
  let operator: Page;
  let simulator: Simulator | undefined;
  /** Uncaught errors of the page's own code, in any tab. */
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(screenshots, { recursive: true });
    // Carriers are picked up within 200 ms, so a new one binds while the page watches.
    server = await ServerProcess.start({ USMS_CARRIER_POLL_MS: '200' });
    account = await server.setupAccount({ templates: ['Your code is {1}'] });
    const made = await server.cli<{ Password: string }>('user', 'create', '--account', String(account.creds.AccountId), '--role', 'admin', '--email', users.customer.email);
    users.customer.password = made.Password;
    users.operator.password = (await server.cli<{ Password: string }>('user', 'create', '--operator', '--email', users.operator.email)).Password;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    customer = await signIn(DESKTOP, users.customer);
    operator = await signIn(DESKTOP, users.operator);
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await simulator?.close();
    await server?.stop();
    rmSync(temp, { recursive: true, force: true });
  });

  const signIn = (viewport: { width: number; height: number }, user: { email: string; password: string }) =>
    signInAs({ browser, baseUrl: server.url, contexts, pageErrors, waitMs: WAIT_MS }, viewport, user);

  async function shot(page: Page, name: string): Promise<void> {
    // Charts draw once their data is in: wait for the network to go quiet first.
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(screenshots, `${name}.png`) });
  }

  const textOf = (locator: Locator, want: RegExp) => waitForText(locator, want, WAIT_MS);

  /** Sends one message from the Send form and answers the SessionNo the page shows. */
  async function sendFromForm(page: Page, opts: { phone: string; templateId: string; params: string[] }): Promise<string> {
    await page.getByTestId('nav-send').click();
    await page.getByTestId('send-template').selectOption(opts.templateId);
    await page.getByTestId('send-sender').selectOption(account.sender);
    await page.getByTestId('send-phone').fill(opts.phone);
    for (const [i, value] of opts.params.entries()) await page.getByTestId(`send-param-${i + 1}`).fill(value);
    await page.getByTestId('send-submit').click();
    assert.equal(await textOf(page.getByTestId('send-retcode'), /\d/), '0');
    return (await page.getByTestId('send-session').textContent())!.trim();
  }

  /** Searches the message log for a phone number, again until a row shows `status`. */
  async function findInLog(page: Page, phone: string, status: RegExp): Promise<Locator> {
    await page.getByTestId('nav-messages').click();
    await page.getByTestId('messages-phone').fill(phone);
    const row = page.getByTestId('message-row').first();
    const until = Date.now() + WAIT_MS;
    for (;;) {
      await page.getByTestId('messages-submit').click();
      await page.getByTestId('messages-table').or(page.getByTestId('messages-empty')).waitFor();
      const seen = (await row.isVisible()) ? ((await row.textContent()) ?? '') : (await page.getByTestId('page-messages').textContent()) ?? '';
      // The previous search's rows stay on screen until the new answer: the row must be this phone's.
      if (seen.includes(phone) && status.test(seen)) return row;
      if (Date.now() > until) assert.fail(`no ${status} message to ${phone} in the log; the page shows: ${seen}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  test('a customer sends from the Send form, finds the message in the log, and sees its DELIVRD receipt and timeline', async () => {
    const session = await sendFromForm(customer, { phone: '13800138000', templateId: account.templateIds[0]!, params: ['4711'] });
    assert.match(session, /\S/);
    const row = await findInLog(customer, '13800138000', /Delivered/);
    assert.match((await row.textContent())!, new RegExp(session));
    await shot(customer, 'messages');

    await row.getByTestId('message-link').click();
    await customer.getByTestId('page-message').waitFor();
    const fields = (await customer.getByTestId('message-fields').textContent())!;
    assert.match(fields, /DELIVRD/);
    assert.match(fields, /Your code is 4711/);
    const events = await customer.getByTestId('timeline-event').allTextContents();
    assert.ok(events.length >= 3, events.join(' | '));
    assert.match(events[0]!, /Accepted/);
    assert.ok(events.some((e) => /Submitted to the carrier/.test(e)), events.join(' | '));
    assert.match(events.find((e) => /Receipt/.test(e)) ?? '', /delivered \(DELIVRD/);
    await shot(customer, 'message');
  });

  test('an API key created in the Keys page works at once, and once revoked there the API refuses it at once', async () => {
    await customer.getByTestId('nav-keys').click();
    await customer.getByTestId('key-create').click();
    const publicKey = await customer.getByTestId('key-public-value').inputValue();
    const privateKey = await customer.getByTestId('key-secret-value').inputValue();
    assert.match(publicKey, /\S{8}/);
    assert.match(privateKey, /\S{16}/);
    const creds = { ...account.creds, PublicKey: publicKey, PrivateKey: privateKey };
    const query = { Action: 'QueryUSMSTemplate', TemplateId: account.templateIds[0]! };
    assert.equal((await ucloudGet(server.url, creds, query)).body.RetCode, 0);
    const row = customer.getByTestId('key-row').filter({ hasText: publicKey });
    await textOf(row, /Active/);
    await shot(customer, 'keys');

    await row.getByTestId('key-revoke').click();
    await customer.getByTestId('confirm-yes').click();
    await textOf(row, /Revoked/);
    assert.equal(await customer.getByTestId('key-secret-value').count(), 0, 'the secret is gone from the page');
    assert.equal((await ucloudGet(server.url, creds, query)).body.RetCode, 172);
  });

  test('a template the customer creates waits for review; the operator approves it with one click; then it sends', async () => {
    await customer.getByTestId('nav-templates').click();
    await customer.getByTestId('template-name').fill('Order shipped');
    await customer.getByTestId('template-purpose').selectOption('2');
    await customer.getByTestId('template-content').fill('Your order {1} has shipped.');
    await customer.getByTestId('template-remark').fill('Sent when the warehouse hands over a parcel.');
    await customer.getByTestId('template-submit').click();
    const created = await textOf(customer.getByTestId('template-notice'), /Template \S+ submitted/);
    const templateId = /Template (\S+) submitted/.exec(created)![1]!;
    const mine = customer.getByTestId('template-row').filter({ hasText: 'Order shipped' });
    await textOf(mine, /Under review/);
    await shot(customer, 'templates');

    await operator.getByTestId('nav-review').click();
    const queued = operator.getByTestId('review-template-row').filter({ hasText: 'Order shipped' });
    await queued.waitFor();
    assert.match((await queued.textContent())!, new RegExp(String(account.creds.AccountId)));
    await shot(operator, 'review');
    await queued.getByTestId('review-approve').click();
    await textOf(operator.getByTestId('review-notice'), /Approved: Order shipped/);
    await queued.waitFor({ state: 'detached' });

    await customer.getByTestId('nav-overview').click();
    await customer.getByTestId('nav-templates').click();
    await textOf(customer.getByTestId('template-row').filter({ hasText: 'Order shipped' }), /Approved/);
    await sendFromForm(customer, { phone: '13800138001', templateId, params: ['A-1001'] });
    await findInLog(customer, '13800138001', /Delivered/);
  });

  test('a CSV of 1,000 rows goes out from the Batch page; the progress bar reaches the end and the messages exist', async () => {
    // The sandbox leaves ...0000 undelivered and ...0001 without a receipt: these numbers end in 123.
    const phone = (i: number) => `1390${String(i).padStart(4, '0')}123`;
    const csv = join(temp, 'customers.csv');
    writeFileSync(csv, Array.from({ length: 1000 }, (_, i) => `${phone(i)},${1000 + i}`).join('\n') + '\n');

    await customer.getByTestId('nav-batch').click();
    await customer.getByTestId('batch-file').setInputFiles(csv);
    await textOf(customer.getByTestId('batch-summary'), /1,000 rows: 1,000 to send, 0 invalid/);
    await customer.getByTestId('batch-template').selectOption(account.templateIds[0]!);
    await customer.getByTestId('batch-sender').selectOption(account.sender);
    await customer.getByTestId('batch-start').click();
    await textOf(customer.getByTestId('batch-count'), /^1,000 of 1,000 rows sent/);
    const progress = customer.getByTestId('batch-progress');
    assert.equal(await progress.getAttribute('value'), '1000');
    assert.equal(await progress.getAttribute('max'), '1000');
    await textOf(customer.getByTestId('batch-result'), /Finished\. 1,000 accepted, 0 failed/);
    await shot(customer, 'batch');

    for (const i of [0, 999]) await findInLog(customer, phone(i), /Delivered/);
  });

  test('the overview shows the day\'s totals', async () => {
    await customer.getByTestId('nav-overview').click();
    // 1,000 from the batch and two from the form.
    await textOf(customer.getByTestId('today-Sent'), /1,002/);
    await customer.getByTestId('chart-counts').locator('canvas').waitFor();
    await shot(customer, 'overview');
  });

  test('carriers: a simulated SMSC added in the page goes to bound, and to down when it stops, without a reload', async () => {
    simulator = await startSimulator({ port: 0, systemId: 'usms', password: 'secret1' });
    await operator.getByTestId('nav-carriers').click();
    await operator.getByTestId('carrier-add').click();
    await operator.getByTestId('carrier-Name').fill('smsc-sim');
    await operator.getByTestId('carrier-Host').fill('127.0.0.1');
    await operator.getByTestId('carrier-Port').fill(String(simulator.port));
    await operator.getByTestId('carrier-SystemId').fill('usms');
    await operator.getByTestId('carrier-Password').fill('secret1');
    // A prefix none of the other scenarios sends to: the carrier binds and takes nothing of theirs.
    await operator.getByTestId('carrier-RoutePrefixes').fill('1415555');
    await operator.getByTestId('carrier-submit').click();
    await textOf(operator.getByTestId('notice'), /Carrier smsc-sim added/);

    const row = operator.getByTestId('carrier-row').filter({ hasText: 'smsc-sim' });
    await textOf(row.getByTestId('carrier-state'), /^Bound$/);
    assert.match((await row.getByTestId('carrier-binds').textContent())!, /^1\/1/);
    await shot(operator, 'carriers');

    // A mark on the window: still there afterwards means the page was not reloaded.
    await operator.evaluate(() => Object.assign(window, { notReloaded: true }));
    await simulator.close();
    simulator = undefined;
    const state = await textOf(row.getByTestId('carrier-state'), /^(?!Bound$)\S/);
    assert.match(state, /Down|Connecting/);
    assert.equal(await operator.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), true);
  });

  test('every page of the menu opens and loads without an error, for the operator (an account chosen) and the customer', async () => {
    await operator.getByTestId('account-picker').selectOption(String(account.creds.AccountId));
    for (const page of [operator, customer]) {
      const links = await page.locator('nav [data-testid^="nav-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!));
      assert.ok(links.length >= (page === operator ? 17 : 12), links.join(' '));
      for (const link of links) {
        await page.getByTestId(link).click();
        await page.getByTestId(`page-${link.slice('nav-'.length)}`).waitFor();
        await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
        assert.deepEqual(await page.locator('[role="alert"]:not(.empty)').allTextContents(), [], link);
      }
    }
    assert.deepEqual(pageErrors, []);
  });

  test('the language switches to Chinese from the header and stays Chinese after a reload', async () => {
    await customer.getByTestId('nav-overview').click();
    await customer.getByTestId('language-select').selectOption('zh');
    await textOf(customer.getByTestId('nav-messages'), /^发送记录$/);
    await textOf(customer.locator('h1'), /^概览$/);
    assert.equal(await customer.getByTestId('today-Sent').locator('.tile-label').textContent(), '已发送');
    assert.equal(await customer.locator('html').getAttribute('lang'), 'zh-CN');
    await customer.getByTestId('nav-messages').click();
    await customer.getByTestId('messages-table').waitFor();
    await shot(customer, 'messages-zh');

    await customer.reload();
    await textOf(customer.getByTestId('nav-messages'), /^发送记录$/);
    await textOf(customer.getByTestId('logout'), /^退出登录$/);
    assert.equal(await customer.getByTestId('language-select').inputValue(), 'zh');

    await customer.getByTestId('language-select').selectOption('en');
    await textOf(customer.getByTestId('nav-messages'), /^Message log$/);
  });

  test('at phone width the navigation opens from the menu button and a page is usable', async () => {
    const phone = await signIn(PHONE, users.customer);
    const nav = phone.getByTestId('nav-messages');
    assert.equal(await nav.isVisible(), false, 'the navigation is folded away');
    await phone.getByTestId('nav-toggle').click();
    await nav.waitFor({ state: 'visible' });
    assert.equal(await phone.getByTestId('nav-toggle').getAttribute('aria-expanded'), 'true');
    await shot(phone, 'phone-menu');
    await nav.click();
    await phone.getByTestId('page-messages').waitFor();
    await nav.waitFor({ state: 'hidden' });
    await phone.getByTestId('messages-phone').fill('13800138000');
    await phone.getByTestId('messages-submit').click();
    await textOf(phone.getByTestId('message-row').first(), /Delivered/);
    // Nothing wider than the screen but the tables, which scroll inside their own region.
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0);
    await shot(phone, 'phone');
  });
});
