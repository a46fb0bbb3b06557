import { sql, type Kysely } from 'kysely';

/**
 * - `messages_e164`: an inbound reply finds the message it answers (the latest one its carrier sent to
 *   the phone) through `messages` itself, since a message sent as one SMPP part has no message_parts
 *   row any more (store/message-parts.ts). Only messages a real carrier accepted are in it, as they
 *   were in message_parts_e164: a new message adds no entry (the API's inserts stay as cheap as they
 *   were), nor does the sandbox, which never receives replies. The query must repeat both conditions
 *   word for word, or SQLite will not use the index (store/inbound.ts).
 * - `messages_carrier_id` holds only messages a carrier accepted (receipts are matched by carrier id):
 *   a new message adds no entry, and a claim, which sets `carrier`, moves none.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('messages_e164')
    .on('messages')
    .columns(['e164', 'id'])
    .where(sql.ref('carrier_msg_id'), 'is not', null)
    .where(sql.ref('carrier'), '<>', 'sandbox')
    .execute();
  await db.schema.dropIndex('message_parts_e164').execute();
  await db.schema.dropIndex('messages_carrier_id').execute();
  await db.schema.createIndex('messages_carrier_id').on('messages').columns(['carrier', 'carrier_msg_id']).where(sql.ref('carrier_msg_id'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('messages_carrier_id').execute();
  await db.schema.createIndex('messages_carrier_id').on('messages').columns(['carrier', 'carrier_msg_id']).execute();
  await db.schema.createIndex('message_parts_e164').on('message_parts').columns(['e164', 'message_id']).execute();
  await db.schema.dropIndex('messages_e164').execute();
}
