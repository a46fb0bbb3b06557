import type { SecretBox } from './auth/secrets.ts';
import { createAccount } from './store/accounts.ts';
import type { Db } from './store/db.ts';
import { createSender } from './store/senders.ts';
import { createTemplate } from './store/templates.ts';

/**
 * On the very first start (no accounts yet) creates a demo account with an approved template and sender,
 * and prints its credentials once, with a curl command that sends a message through the sandbox to
 * `url`, the address the server listens on (called once it listens). For local trials: USMS_DEMO=0
 * turns it off. Its secret is printed only here; `usms key create --account ID` gives the account a
 * new key (`usms account list` shows its id).
 */
export async function ensureDemoAccount(db: Db, box: SecretBox, url: string): Promise<void> {
  const any = await db.selectFrom('accounts').select('id').limit(1).executeTakeFirst();
  if (any) return;
  const account = await createAccount(db, box, { name: 'demo' });
  const templateId = await createTemplate(db, { accountId: account.AccountId, content: 'Your verification code is {1}', name: 'demo code', purpose: 1, approve: true });
  await createSender(db, { accountId: account.AccountId, name: 'usms', approve: true });
  const body = JSON.stringify({ TaskContent: [{ TemplateId: templateId, SenderId: 'usms', Target: [{ Phone: '(86)13800138000', TemplateParams: ['123456'] }] }] });
  const auth = Buffer.from(`${account.PublicKey}:${account.PrivateKey}`).toString('base64');
  process.stdout.write(
    [
      '',
      'usms: created a demo account for local trials (shown only this once; USMS_DEMO=0 turns it off):',
      `  AccountId  ${account.AccountId}`,
      `  ProjectId  ${account.ProjectId}`,
      `  PublicKey  ${account.PublicKey}`,
      `  PrivateKey ${account.PrivateKey}`,
      `  Template   ${templateId} ("Your verification code is {1}"), sender "usms"`,
      `  A new key for it, if this one is lost: npx usms key create --account ${account.AccountId}`,
      '',
      'Send a message through the sandbox carrier:',
      `  curl -s -X POST ${reachable(url)}/api/v1/usms/SendBatchUSMSMessage -H 'Content-Type: application/json' \\`,
      `    -H 'Authorization: Basic ${auth}' \\`,
      `    -d '${body}'`,
      '',
    ].join('\n') + '\n',
  );
}

/** A wildcard listen address is not one to connect to: the curl goes to this machine's loopback instead. */
function reachable(url: string): string {
  return url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
}
