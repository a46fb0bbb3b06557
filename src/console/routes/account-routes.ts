import { addBlacklisted, listBlacklisted, removeBlacklisted } from '../../operator/blacklist.ts';
import { callbackOverview, retryPushes, setCallbackUrl, testPush } from '../../operator/callbacks.ts';
import { listInbound } from '../../operator/inbound.ts';
import { createKey, listKeys, revokeKey } from '../../operator/keys.ts';
import { messageDetail, searchMessages } from '../../operator/messages.ts';
import { overview } from '../../operator/overview.ts';
import { createSender, listSenders, updateSender } from '../../operator/senders.ts';
import { createTemplate, listTemplates, updateTemplate } from '../../operator/templates.ts';
import type { ConsoleKit } from '../kit.ts';
import { accountParam } from '../router.ts';

/** A customer's pages (an operator's too, naming the account): overview, messages, templates, keys, callback, blacklist, replies. */
export function registerAccountRoutes({ router, forgetKey }: ConsoleKit): void {
  router.get('/overview', async (c) => overview(c.op, { accountId: accountParam(c), days: c.query.days }));
  router.get('/messages', async (c) =>
    searchMessages(c.op, {
      accountId: accountParam(c),
      phone: c.query.phone,
      sessionNo: c.query.session,
      userId: c.query.userId,
      templateId: c.query.template,
      status: c.query.status,
      from: c.query.from,
      to: c.query.to,
      cursor: c.query.cursor,
      limit: c.query.limit,
    }));
  router.get('/messages/:id', async (c) => messageDetail(c.op, c.params.id!, { accountId: accountParam(c) }));

  router.get('/templates', async (c) => listTemplates(c.op, { AccountId: accountParam(c) }));
  router.post('/templates', async (c) => createTemplate(c.op, { ...c.body, AccountId: accountParam(c) }));
  router.put('/templates/:id', async (c) => updateTemplate(c.op, c.params.id!, { ...c.body, AccountId: accountParam(c) }));

  router.get('/senders', async (c) => listSenders(c.op, { AccountId: accountParam(c) }));
  router.post('/senders', async (c) => createSender(c.op, { ...c.body, AccountId: accountParam(c) }));
  router.put('/senders/:id', async (c) => updateSender(c.op, c.params.id!, { ...c.body, AccountId: accountParam(c) }));

  router.get('/keys', async (c) => listKeys(c.op, { AccountId: accountParam(c) }));
  router.post('/keys', async (c) => createKey(c.op, { AccountId: accountParam(c) }));
  router.post('/keys/:publicKey/revoke', async (c) => {
    const revoked = await revokeKey(c.op, { AccountId: accountParam(c), PublicKey: c.params.publicKey });
    // This node's HTTP threads drop the key now; other nodes within KEY_TTL_MS.
    await forgetKey(c.params.publicKey!);
    return revoked;
  });

  router.get('/callback', async (c) => callbackOverview(c.op, { AccountId: accountParam(c), Limit: c.query.limit }));
  router.put('/callback', async (c) => setCallbackUrl(c.op, { AccountId: accountParam(c), Url: c.body.Url }));
  router.post('/callback/test', async (c) => testPush(c.op, { AccountId: accountParam(c) }));
  router.post('/callback/retry', async (c) => retryPushes(c.op, { AccountId: accountParam(c), Ids: c.body.Ids }));

  router.get('/blacklist', async (c) => listBlacklisted(c.op, { AccountId: accountParam(c) }));
  router.post('/blacklist', async (c) => addBlacklisted(c.op, { AccountId: accountParam(c), Phone: c.body.Phone }));
  router.delete('/blacklist/:phone', async (c) => removeBlacklisted(c.op, { AccountId: accountParam(c), Phone: c.params.phone }));

  router.get('/inbound', async (c) => listInbound(c.op, { AccountId: accountParam(c), Cursor: c.query.cursor, Limit: c.query.limit, Unowned: c.query.unowned === '1' }));
}
