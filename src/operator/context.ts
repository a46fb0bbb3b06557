import type { SecretBox } from '../auth/secrets.ts';
import type { Db } from '../store/db.ts';
import type { Actor } from './actor.ts';

/** What every operator function gets: the database, the master-key box, and who asks. */
export interface OperatorContext {
  db: Db;
  box: SecretBox;
  actor: Actor;
}
