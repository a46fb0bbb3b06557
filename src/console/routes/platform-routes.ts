import { createAccount, listAccounts, updateAccount } from '../../operator/accounts.ts';
import { addCarrier, listCarriers, removeCarrier, updateCarrier } from '../../operator/carriers.ts';
import { listNodes } from '../../operator/nodes.ts';
import { reviewQueue } from '../../operator/review.ts';
import { sandboxInbox } from '../../operator/sandbox.ts';
import { reviewSender } from '../../operator/senders.ts';
import { reviewTemplate } from '../../operator/templates.ts';
import type { ConsoleKit } from '../kit.ts';
import { intParam } from '../router.ts';

/** The operator's pages: accounts, the review queue, carriers, nodes, the sandbox inbox. */
export function registerPlatformRoutes({ router }: ConsoleKit): void {
  router.get('/accounts', async (c) => listAccounts(c.op));
  router.post('/accounts', async (c) => createAccount(c.op, { Name: c.body.Name, Region: c.body.Region }));
  router.put('/accounts/:id', async (c) => updateAccount(c.op, intParam(c.params.id, 'id'), c.body));

  router.get('/review', async (c) => reviewQueue(c.op, { Limit: c.query.limit }));
  router.post('/review/templates/:accountId/:id', async (c) =>
    reviewTemplate(c.op, { AccountId: intParam(c.params.accountId, 'accountId'), TemplateId: c.params.id, Decision: c.body.Decision, Reason: c.body.Reason }));
  router.post('/review/senders/:accountId/:id', async (c) =>
    reviewSender(c.op, { AccountId: intParam(c.params.accountId, 'accountId'), SigId: c.params.id, Decision: c.body.Decision, Reason: c.body.Reason }));

  router.get('/carriers', async (c) => listCarriers(c.op));
  router.post('/carriers', async (c) => addCarrier(c.op, c.body));
  router.put('/carriers/:name', async (c) => updateCarrier(c.op, c.params.name, c.body));
  router.delete('/carriers/:name', async (c) => removeCarrier(c.op, c.params.name));

  router.get('/nodes', async (c) => listNodes(c.op));
  router.get('/sandbox', async (c) => sandboxInbox(c.op, { Limit: c.query.limit }));
}
