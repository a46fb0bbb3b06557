import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testOnBothDatabases } from '../../test/databases.ts';
import { SecretBox } from '../auth/secrets.ts';
import type { Db } from '../store/db.ts';
import { CLI_ACTOR, OperatorError, type Actor } from './actor.ts';
import { listNodes } from './nodes.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const as = (db: Db, actor: Actor) => ({ db, box, actor });

testOnBothDatabases('live nodes: the ones with a recent heartbeat; operators only', async (db) => {
  const now = Date.now();
  await db.insertInto('nodes').values([
    { id: 'api-1', role: 'api', host: 'h1', pid: 10, started_at: now - 1000, heartbeat_at: now },
    { id: 'gone', role: 'worker', host: 'h2', pid: 11, started_at: now - 3_600_000, heartbeat_at: now - 3_600_000 },
  ]).execute();
  assert.deepEqual((await listNodes(as(db, CLI_ACTOR))).Nodes, [{ NodeId: 'api-1', Role: 'api', Host: 'h1', Pid: 10, StartedAt: now - 1000, HeartbeatAt: now }]);
  await assert.rejects(
    listNodes(as(db, { userId: 1, email: 'a@example.com', role: 'admin', accountId: 60000001 })),
    (e: unknown) => e instanceof OperatorError && e.kind === 'forbidden',
  );
});
