import type { Migration } from 'kysely';
import * as initial from './001-initial.ts';
import * as templateReview from './002-template-review.ts';
import * as reportsCallbacks from './003-reports-callbacks.ts';
import * as idempotency from './004-idempotency.ts';
import * as carriers from './005-carriers.ts';
import * as retention from './006-retention.ts';
import * as nodes from './007-nodes.ts';
import * as carrierBinds from './008-carrier-binds.ts';
import * as inboundParts from './009-inbound-parts.ts';
import * as messagesByPhone from './010-messages-by-phone.ts';
import * as carrierPrefetch from './011-carrier-prefetch.ts';
import * as callbackGroups from './012-callback-groups.ts';
import * as consoleUsers from './013-console.ts';
import * as messageSearch from './014-message-search.ts';
import * as moneyCompliance from './015-money-compliance.ts';
import * as carrierKindsRoutes from './016-carrier-kinds-routes.ts';
import * as smppServer from './017-smpp-server.ts';

/**
 * Every migration, in order. Add one line per new file (NNN-name.ts). Migrations must run on both
 * SQLite and PostgreSQL: use Kysely's schema builder and portable types (text, integer, bigint).
 */
export const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-template-review': templateReview,
  '003-reports-callbacks': reportsCallbacks,
  '004-idempotency': idempotency,
  '005-carriers': carriers,
  '006-retention': retention,
  '007-nodes': nodes,
  '008-carrier-binds': carrierBinds,
  '009-inbound-parts': inboundParts,
  '010-messages-by-phone': messagesByPhone,
  '011-carrier-prefetch': carrierPrefetch,
  '012-callback-groups': callbackGroups,
  '013-console': consoleUsers,
  '014-message-search': messageSearch,
  '015-money-compliance': moneyCompliance,
  '016-carrier-kinds-routes': carrierKindsRoutes,
  '017-smpp-server': smppServer,
};
