import { sql } from 'kysely';
import type { Db } from './db.ts';
import type { WriteGate } from './write-gate.ts';

export interface CheckpointResult {
  /** 1 when the checkpoint could not finish (another checkpoint, or a reader of old frames). */
  busy: number;
  /** Frames in the WAL, and how many of them are in the database file now. */
  log: number;
  checkpointed: number;
}

const passive = async (db: Db) => (await sql<CheckpointResult>`pragma wal_checkpoint(passive)`.execute(db)).rows[0]!;

/**
 * A WAL checkpoint of a SQLite database in two passes, for a connection whose process writes through
 * `gate`. The first pass copies the WAL into the database file beside the writers (a passive
 * checkpoint takes no write lock). The WAL starts over from its beginning only when every frame in it
 * was copied before the next transaction begins, so the second pass holds the write gate and copies just
 * what was committed meanwhile: without it, under steady writes the WAL never starts over and grows
 * without bound. Returns the second pass's result (or the first's, when the WAL was empty).
 */
export async function checkpointInTwoPasses(db: Db, gate: WriteGate, gateTimeoutMs: number): Promise<CheckpointResult> {
  const first = await passive(db);
  if (first.log === 0) return first;
  await gate.acquire(gateTimeoutMs);
  try {
    return await passive(db);
  } finally {
    gate.release();
  }
}
