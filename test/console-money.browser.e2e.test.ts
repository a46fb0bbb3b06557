import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { browserSkip, CHROMIUM, CHROMIUM_ARGS, DESKTOP, signIn as signInAs, textOf as waitForText } from './browser.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/store/db.ts';
import { ServerProcess, type Credentials } from './harness.ts';

/**
 * Billing in a real browser against the real server: the operator sets the first price and tops an
 * account up through the Billing page; the customer sees the balance and the ledger row, sends, and the
 * overview shows what the send cost next to how many were sent. Takes docs/console/billing.png (written
 * there with USMS_UPDATE_SCREENSHOTS=1, else to a temporary folder).
 */

const WAIT_MS = 30_000;

const skip = browserSkip;

describe('console billing in a browser', { skip, timeout: 180_000 }, () => {
  let server: ServerProcess;
  let browser: Browser;
  let account: { creds: Credentials; sender: string; templateIds: string[] };
  const users = { customer: { email: 'admin@shop.example', password: '' }, operator: { email: 'ops@usms.example', password: '' } };
  const temp = mkdtempSync(join(tmpdir(), 'usms-browser-money-'));
  const screenshots = process.env.USMS_UPDATE_SCREENSHOTS === '1' ? join(import.meta.dirname, '..', 'docs', 'console') : join(temp, 'screenshots');
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  let customer: Page;
  let operator: Page;

  before(async () => {
    mkdirSync(screenshots, { recursive: true });
    server = await ServerProcess.start();
    account = await server.setupAccount({ templates: ['Your code is {1}'] });
    const made = await server.cli<{ Password: string }>('user', 'create', '--account', String(account.creds.AccountId), '--role', 'admin', '--email', users.customer.email);
    users.customer.password = made.Password;
    users.operator.password = (await server.cli<{ Password: string }>('user', 'create', '--operator', '--email', users.operator.email)).Password;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    customer = await signIn(users.customer);
    operator = await signIn(users.operator);
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.stop();
    rmSync(temp, { recursive: true, force: true });
  });

  const signIn = (user: { email: string; password: string }) =>
    signInAs({ browser, baseUrl: server.url, contexts, pageErrors, waitMs: WAIT_MS }, DESKTOP, user);

  const textOf = (locator: Locator, want: RegExp) => waitForText(locator, want, WAIT_MS);

  test('the operator sets a price and tops up; the customer sees balance and ledger, sends, and the overview shows the spend', async () => {
    // The platform price list needs no account: the first price turns billing on, in the currency given.
    await operator.getByTestId('nav-billing').click();
    await operator.getByTestId('billing-choose-account').waitFor();
    await operator.getByTestId('prices-off').waitFor();
    await operator.getByTestId('price-prefix').fill('86');
    await operator.getByTestId('price-value').fill('0.05');
    await operator.getByTestId('price-currency').fill('CNY');
    await operator.getByTestId('price-set').click();
    await textOf(operator.getByTestId('price-notice'), /Price for \+86 set to 0\.05 CNY\. *Billing is now on\./);
    await textOf(operator.getByTestId('price-row').first(), /\+86\s*0\.05 CNY/);

    // Then the account, from the header; the form is used by its labels, as a screen reader would.
    await operator.getByTestId('account-picker').selectOption(String(account.creds.AccountId));
    await operator.getByTestId('billing-summary').waitFor();
    await operator.getByLabel('Kind').selectOption('topup');
    await operator.getByLabel('Amount (CNY)').fill('2.00');
    await operator.getByLabel('Note').fill('welcome credit');
    await operator.getByLabel('Note').press('Enter');
    await textOf(operator.getByTestId('billing-money-notice'), /The balance is now 2\.00 CNY/);
    await textOf(operator.getByTestId('billing-balance'), /2\.00 CNY/);
    await textOf(operator.getByTestId('ledger-row').first(), /Top-up.*2\.00 CNY.*welcome credit/);

    // The customer: the balance, the ledger row, the price it pays.
    await customer.getByTestId('nav-billing').click();
    await textOf(customer.getByTestId('billing-balance'), /^Balance2\.00 CNY$/);
    await textOf(customer.getByTestId('billing-mode'), /Postpaid/);
    const row = customer.getByTestId('ledger-row');
    await textOf(row.first(), /Top-up.*2\.00 CNY.*welcome credit.*ops@usms\.example/);
    assert.equal(await row.count(), 1);
    await textOf(customer.getByTestId('prices-table'), /\+86\s*0\.05 CNY/);
    assert.equal(await customer.getByTestId('billing-money-form').count(), 0, 'no top-up form for a customer');
    assert.equal(await customer.getByTestId('price-form').count(), 0, 'no price form for a customer');

    // A send from the form is charged 0.05.
    await customer.getByTestId('nav-send').click();
    await customer.getByTestId('send-template').selectOption(account.templateIds[0]!);
    await customer.getByTestId('send-sender').selectOption(account.sender);
    await customer.getByTestId('send-phone').fill('13800138000');
    await customer.getByTestId('send-param-1').fill('4711');
    await customer.getByTestId('send-submit').click();
    assert.equal(await textOf(customer.getByTestId('send-retcode'), /\d/), '0');

    await customer.getByTestId('nav-overview').click();
    await textOf(customer.getByTestId('today-Sent'), /1/);
    await textOf(customer.getByTestId('today-Spend'), /^Spend0\.05 CNY$/);
    await textOf(customer.getByTestId('overview-regions-spend').first(), /^0\.05$/);

    await customer.getByTestId('nav-billing').click();
    await textOf(customer.getByTestId('billing-balance'), /1\.95 CNY/);
    await textOf(customer.getByTestId('ledger-row').nth(1), /Charge.*-0\.05 CNY.*1\.95 CNY/);
    await customer.waitForLoadState('networkidle');
    await customer.screenshot({ path: join(screenshots, 'billing.png'), fullPage: true });
    assert.deepEqual(await customer.locator('[role="alert"]:not(.empty)').allTextContents(), []);
    assert.deepEqual(pageErrors, []);
  });

  test('the blacklist tells a number that opted out by a reply from one the account blocked', async () => {
    const id = account.creds.AccountId;
    await server.cli('blacklist', 'add', '--account', String(id), '--phone', '+8613800138111');
    // An opt-out as a STOP reply leaves it (store/inbound.ts): written here directly, the reply path has its own e2e test.
    const db = await openDatabase({ ...loadConfig({ ...process.env, ...server.workspace.env }), migrateOnStart: false });
    try {
      await db.insertInto('blacklist').values({ account_id: id, phone: '+8613800138222', created_at: Date.now(), opted_out_at: Date.UTC(2026, 11, 1, 4, 0, 0) }).execute();
    } finally {
      await db.destroy();
    }
    await customer.getByTestId('nav-blacklist').click();
    const rows = customer.getByTestId('blacklist-row');
    await textOf(rows.filter({ hasText: '+8613800138222' }).getByTestId('blacklist-why'), /Replied STOP on 2026-12-01 12:00:00/);
    await textOf(rows.filter({ hasText: '+8613800138111' }).getByTestId('blacklist-why'), /Added by the account or the operator/);
  });
});
