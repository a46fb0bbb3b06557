import type { SecretBox } from '../auth/secrets.ts';
import type { Db } from './db.ts';

/** An HTTP carrier's stored settings (JSON, checked by carriers/http-settings.ts) and its secret in clear. */
export async function httpCarrierOf(db: Db, box: SecretBox, name: string): Promise<{ settings: unknown; secret: string } | undefined> {
  const row = await db
    .selectFrom('carriers')
    .select(['settings', 'password_sealed'])
    .where('name', '=', name)
    .where('kind', '=', 'http')
    .executeTakeFirst();
  if (!row) return undefined;
  return { settings: JSON.parse(row.settings) as unknown, secret: box.open(row.password_sealed) };
}
