import { createAccount as storeCreateAccount } from '../store/accounts.ts';
import { accountsWithSettings, changeAccount, type AccountWithSettings } from '../store/account-admin.ts';
import { setCallbackUrl } from '../store/callbacks.ts';
import { setSmppContent, SMPP_CONTENT_MODES, smppContentByAccount, type SmppContent } from '../store/smpp-users.ts';
import { badInput, notFound, requireOperator } from './actor.ts';
import { audit } from './audit.ts';
import { parseCallbackUrl } from './callbacks.ts';
import type { OperatorContext } from './context.ts';
import { optionalBool, requiredString } from './input.ts';
import { accountInScope } from './scope.ts';

export const ACCOUNT_STATUSES = ['active', 'disabled'] as const;
const MAX_NAME_CHARS = 100;

export interface AccountView {
  AccountId: number;
  ProjectId: string;
  Name: string;
  Region: string;
  /** active | disabled (suspended: its keys are refused with RetCode 173) */
  Status: string;
  /** Templates the customer submits are approved at once. */
  TemplateAutoApprove: boolean;
  /** '' when pushes are off. */
  CallbackUrl: string;
  /** How its SMPP submits are checked: 'template' (must match an approved template) or 'free'. */
  SmppContent: SmppContent;
  /** unix seconds */
  CreateTime: number;
}

export function outAccount(a: AccountWithSettings, smppContent: SmppContent = 'template'): AccountView {
  return {
    AccountId: a.id,
    ProjectId: a.projectId,
    Name: a.name,
    Region: a.region,
    Status: a.status,
    TemplateAutoApprove: a.templateAutoApprove,
    CallbackUrl: a.callbackUrl,
    SmppContent: smppContent,
    CreateTime: Math.floor(a.createdAt / 1000),
  };
}

/** The default region of an account: national numbers are read as this country's. */
export function parseRegion(raw: unknown): string {
  const region = typeof raw === 'string' ? raw.trim().toUpperCase() : '';
  if (!/^[A-Z]{2}$/.test(region)) throw badInput(`region must be an ISO 3166 two-letter code, got "${String(raw)}"`);
  return region;
}

/** A new customer account with its first API key: the only time its secret is answered. */
export async function createAccount(ctx: OperatorContext, input: { Name: unknown; Region?: unknown }) {
  requireOperator(ctx.actor);
  const name = requiredString(input.Name, 'Name', MAX_NAME_CHARS).trim();
  const region = parseRegion(input.Region ?? 'CN');
  const created = await storeCreateAccount(ctx.db, ctx.box, { name, region });
  await audit(ctx.db, ctx.actor, 'account.create', String(created.AccountId), created.AccountId, { Name: name, Region: region, PublicKey: created.PublicKey });
  return created;
}

export async function listAccounts(ctx: OperatorContext): Promise<{ Accounts: AccountView[] }> {
  requireOperator(ctx.actor);
  const smpp = await smppContentByAccount(ctx.db);
  return { Accounts: (await accountsWithSettings(ctx.db)).map((a) => outAccount(a, smpp.get(a.id))) };
}

/** One account: a customer user's own, or any for an operator. */
export async function getAccount(ctx: OperatorContext, accountId: number | undefined): Promise<AccountView> {
  const { id } = await accountInScope(ctx, accountId, 'read');
  const [row] = await accountsWithSettings(ctx.db, id);
  if (!row) throw notFound(`no account ${id}`);
  return outAccount(row, (await smppContentByAccount(ctx.db, id)).get(id));
}

export interface AccountChanges {
  /** active | disabled */
  Status?: unknown;
  Region?: unknown;
  /** Approve the templates the customer submits at once. */
  AutoApprove?: unknown;
  /** Where receipts and replies are pushed; '' stops pushing. */
  CallbackUrl?: unknown;
  /** 'template' | 'free': how its SMPP text is checked. */
  SmppContent?: unknown;
}

/**
 * Changes an account's settings (operators): suspend (`Status: disabled`) or reopen it, its region,
 * template auto-approval, callback URL and SMPP content mode. Fields left out are kept. API nodes cache a key with its
 * account's status for KEY_TTL_MS (actions/lookups.ts): a suspension bites within that time.
 */
export async function updateAccount(ctx: OperatorContext, accountId: number | undefined, changes: AccountChanges): Promise<AccountView> {
  requireOperator(ctx.actor);
  const { id } = await accountInScope(ctx, accountId, 'write');
  let status: string | undefined;
  if (changes.Status !== undefined) {
    if (!ACCOUNT_STATUSES.includes(changes.Status as (typeof ACCOUNT_STATUSES)[number])) throw badInput(`Status: ${ACCOUNT_STATUSES.join(' or ')}`);
    status = changes.Status as string;
  }
  const region = changes.Region === undefined ? undefined : parseRegion(changes.Region);
  const autoApprove = optionalBool(changes.AutoApprove, 'AutoApprove');
  const callbackUrl = changes.CallbackUrl === undefined ? undefined : parseCallbackUrl(changes.CallbackUrl, 'CallbackUrl');
  let smppContent: SmppContent | undefined;
  if (changes.SmppContent !== undefined) {
    if (!SMPP_CONTENT_MODES.includes(changes.SmppContent as SmppContent)) throw badInput(`SmppContent: ${SMPP_CONTENT_MODES.join(' or ')}`);
    smppContent = changes.SmppContent as SmppContent;
  }
  const detail = {
    ...(status !== undefined && { Status: status }),
    ...(region !== undefined && { Region: region }),
    ...(autoApprove !== undefined && { AutoApprove: autoApprove }),
    ...(callbackUrl !== undefined && { CallbackUrl: callbackUrl }),
    ...(smppContent !== undefined && { SmppContent: smppContent }),
  };
  if (Object.keys(detail).length === 0) throw badInput('nothing to change: give Status, Region, AutoApprove, CallbackUrl or SmppContent');
  if (!(await changeAccount(ctx.db, id, { status, region, templateAutoApprove: autoApprove }))) throw notFound(`no account ${id}`);
  if (callbackUrl !== undefined) await setCallbackUrl(ctx.db, id, callbackUrl || undefined);
  if (smppContent !== undefined) await setSmppContent(ctx.db, id, smppContent);
  await audit(ctx.db, ctx.actor, 'account.update', String(id), id, detail);
  return getAccount(ctx, id);
}
