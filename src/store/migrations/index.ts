import type { Migration } from 'kysely';
import * as initial from './001-initial.ts';

/**
 * Every migration, in order. Add one line per new file (NNN-name.ts). Migrations must run on both
 * SQLite and PostgreSQL: use Kysely's schema builder and portable types (text, integer, bigint).
 */
export const migrations: Record<string, Migration> = {
  '001-initial': initial,
};
