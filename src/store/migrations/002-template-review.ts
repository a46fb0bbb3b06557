import type { Kysely } from 'kysely';

/**
 * Customer-side template and signature management (CreateUSMSTemplate, CreateUSMSSignature and
 * siblings): the fields those actions take, and the operator's per-account template auto-approval.
 * One column per statement (SQLite's ALTER TABLE adds a single column at a time); every new column
 * has a default so existing rows and older inserts stay valid.
 */
const COLUMNS: Array<[table: string, column: string, type: 'text' | 'integer' | 'bigint', dflt: string | number | null]> = [
  ['accounts', 'template_auto_approve', 'integer', 0],
  ['templates', 'remark', 'text', ''],
  ['templates', 'unsubscribe_info', 'text', ''],
  ['templates', 'instruction', 'text', ''],
  ['templates', 'international', 'integer', 0],
  ['senders', 'sig_type', 'integer', 0],
  ['senders', 'sig_purpose', 'integer', 0],
  ['senders', 'certificate_type', 'integer', 0],
  ['senders', 'description', 'text', ''],
  ['senders', 'international', 'integer', 0],
  // Certificates as sent (base64); kept for the operator's review, never answered back.
  ['senders', 'file', 'text', null],
  ['senders', 'proxy_file', 'text', null],
  ['senders', 'updated_at', 'bigint', 0],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [table, column, type, dflt] of COLUMNS) {
    await db.schema
      .alterTable(table)
      .addColumn(column, type, (c) => (dflt === null ? c : c.notNull().defaultTo(dflt)))
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [table, column] of [...COLUMNS].reverse()) {
    await db.schema.alterTable(table).dropColumn(column).execute();
  }
}
