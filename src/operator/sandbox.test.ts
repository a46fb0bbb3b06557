import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testOnBothDatabases } from '../../test/databases.ts';
import { SecretBox } from '../auth/secrets.ts';
import type { Db } from '../store/db.ts';
import { CLI_ACTOR, OperatorError, type Actor } from './actor.ts';
import { sandboxInbox } from './sandbox.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const as = (db: Db, actor: Actor) => ({ db, box, actor });

testOnBothDatabases("the sandbox inbox spans every account: operators only", async (db) => {
  assert.deepEqual(await sandboxInbox(as(db, CLI_ACTOR), { Limit: '5' }), { Messages: [] });
  await assert.rejects(
    sandboxInbox(as(db, { userId: 1, email: 'a@example.com', role: 'admin', accountId: 60000001 })),
    (e: unknown) => e instanceof OperatorError && e.kind === 'forbidden',
  );
});
