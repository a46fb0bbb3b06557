import { badInput } from '../../operator/actor.ts';
import { addMoney, balance, billingSettings, changeBilling, importPrices, ledger, listPriceList, removePrice, setPrice } from '../../operator/billing.ts';
import type { ConsoleKit } from '../kit.ts';
import { accountParam, intParam } from '../router.ts';

/** A ledger page in the console: long enough to read, short enough to render at once. */
const LEDGER_PAGE = 50;
const MAX_LEDGER_PAGE = 500;

/**
 * Money: an account's billing settings, balance and ledger (its own for a customer, any for an operator),
 * top-ups and adjustments (operators), and the price lists (operators set them; a customer reads the
 * prices it pays). Who may do what is the operator layer's (operator/billing.ts).
 */
export function registerMoneyRoutes({ router }: ConsoleKit): void {
  router.get('/billing', async (c) => billingSettings(c.op, { AccountId: accountParam(c) }));
  router.put('/billing', async (c) =>
    changeBilling(c.op, { AccountId: accountParam(c), Mode: c.body.Mode, CreditLimit: c.body.CreditLimit, LowBalanceThreshold: c.body.LowBalanceThreshold }));
  router.get('/balance', async (c) => balance(c.op, { AccountId: accountParam(c) }));
  router.get('/ledger', async (c) => {
    const limit = intParam(c.query.limit, 'limit') ?? LEDGER_PAGE;
    if (limit < 1 || limit > MAX_LEDGER_PAGE) throw badInput(`limit: 1 to ${MAX_LEDGER_PAGE}`);
    return ledger(c.op, {
      AccountId: accountParam(c),
      After: intParam(c.query.after, 'after'),
      From: intParam(c.query.from, 'from'),
      To: intParam(c.query.to, 'to'),
      Limit: limit,
    });
  });
  router.post('/billing/topup', async (c) => addMoney(c.op, { AccountId: accountParam(c), Amount: c.body.Amount, Note: c.body.Note, Kind: 'topup' }));
  router.post('/billing/adjust', async (c) => addMoney(c.op, { AccountId: accountParam(c), Amount: c.body.Amount, Note: c.body.Note, Kind: 'adjustment' }));

  router.get('/prices', async (c) => listPriceList(c.op, { AccountId: accountParam(c) }));
  router.post('/prices', async (c) => setPrice(c.op, { AccountId: accountParam(c), Prefix: c.body.Prefix, Price: c.body.Price, Currency: c.body.Currency }));
  router.post('/prices/import', async (c) => {
    if (typeof c.req.body !== 'string') throw badInput('send the CSV file (lines of prefix,price) as the body, with Content-Type text/csv');
    return importPrices(c.op, { AccountId: accountParam(c), Csv: c.req.body, Currency: c.query.currency || undefined });
  });
  // The default entry (prefix '') has no path segment of its own: it is named `default`.
  router.delete('/prices/:prefix', async (c) =>
    removePrice(c.op, { AccountId: accountParam(c), Prefix: c.params.prefix === 'default' ? '' : c.params.prefix }));
}
