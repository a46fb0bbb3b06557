import { auditLog } from '../../operator/audit.ts';
import { createUser, issueResetLink, listUsers, updateUser } from '../../operator/users.ts';
import type { ConsoleKit } from '../kit.ts';
import { accountParam, intParam } from '../router.ts';

/** Users of an account (account admins) or of the platform (operators), reset links, the audit log. */
export function registerUserRoutes({ router }: ConsoleKit): void {
  router.get('/users', async (c) => listUsers(c.op, { AccountId: accountParam(c) }));
  router.post('/users', async (c) =>
    createUser(c.op, { Email: c.body.Email, Role: c.body.Role, AccountId: accountParam(c), Password: typeof c.body.Password === 'string' ? c.body.Password : undefined }));
  router.put('/users/:id', async (c) => updateUser(c.op, intParam(c.params.id, 'id') ?? 0, { Role: c.body.Role, Status: c.body.Status }));
  router.post('/users/:id/reset-link', async (c) => issueResetLink(c.op, intParam(c.params.id, 'id') ?? 0, `${c.req.protocol}://${c.req.headers.host}`));
  router.get('/audit', async (c) => auditLog(c.op.db, c.op.actor, { accountId: accountParam(c), before: intParam(c.query.before, 'before'), limit: intParam(c.query.limit, 'limit') }));
}
