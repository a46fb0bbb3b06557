import { requireOperator } from '../../operator/actor.ts';
import { createSmppUser, listSmppUsers, revokeSmppUser, smppStatus } from '../../operator/smpp-users.ts';
import type { ConsoleKit } from '../kit.ts';
import { accountParam, type RouteInput } from '../router.ts';

/**
 * The SMPP page (operators): the SMPP users customers bind with, and the live binds with the outbox.
 * Anyone else gets the console's 403 `forbidden`, before their input is even read.
 */
export function registerSmppRoutes({ router }: ConsoleKit): void {
  const operator = (c: RouteInput) => {
    requireOperator(c.op.actor);
    return c;
  };
  router.get('/smpp/users', async (c) => listSmppUsers(operator(c).op, { AccountId: accountParam(c) }));
  router.post('/smpp/users', async (c) =>
    createSmppUser(operator(c).op, {
      AccountId: accountParam(c),
      SystemId: c.body.SystemId,
      MaxBinds: c.body.MaxBinds,
      Window: c.body.Window,
      Throughput: c.body.Throughput,
      AllowedSources: c.body.AllowedSources,
    }));
  router.post('/smpp/users/:systemId/revoke', async (c) => revokeSmppUser(operator(c).op, { SystemId: c.params.systemId }));
  router.get('/smpp/status', async (c) => smppStatus(operator(c).op));
}
