import { dropAlarm, listAlarms, releaseAlarm } from '../../operator/alarms.ts';
import { blockContent, listContentRules, unblockContent } from '../../operator/content.ts';
import { getSendLimits, setSendLimits } from '../../operator/send-limits.ts';
import type { ConsoleKit } from '../kit.ts';
import { accountParam } from '../router.ts';

/**
 * What an account may send: blocked words and patterns, the countries and per-phone limits of its
 * pumping protection, and the alarms that hold a burst to one number range. Who may do what is the
 * operator layer's (operator/content.ts, send-limits.ts, alarms.ts).
 */
export function registerComplianceRoutes({ router }: ConsoleKit): void {
  router.get('/content-rules', async (c) => listContentRules(c.op, { AccountId: accountParam(c) }));
  router.post('/content-rules', async (c) => blockContent(c.op, { AccountId: accountParam(c), Pattern: c.body.Pattern, Regex: c.body.Regex }));
  router.delete('/content-rules/:id', async (c) => unblockContent(c.op, { AccountId: accountParam(c), RuleId: c.params.id }));

  router.get('/limits', async (c) => getSendLimits(c.op, accountParam(c)));
  router.put('/limits', async (c) =>
    setSendLimits(c.op, accountParam(c), { Countries: c.body.Countries, PerPhone: c.body.PerPhone, RangeBurst: c.body.RangeBurst }));

  router.get('/alarms', async (c) =>
    listAlarms(c.op, { AccountId: accountParam(c), Status: c.query.status || undefined, Before: c.query.before, Limit: c.query.limit }));
  router.post('/alarms/:id/release', async (c) => releaseAlarm(c.op, c.params.id));
  router.post('/alarms/:id/drop', async (c) => dropAlarm(c.op, c.params.id));
}
