import type { Db } from '../store/db.ts';
import { RetCode, UsmsError, invalidParameter, missingParameter } from '../sms/errors.ts';
import { createSender, deleteSenders, findSender, senderNameProblem, updateSender, type Sender, type SenderPatch } from '../store/senders.ts';
import { TemplateStatus } from '../store/templates.ts';
import type { ActionAnswer, ActionContext, Dialect } from './context.ts';
import { boolParam, idListParam, intParam, stringParam } from './templates.ts';

/*
 * Customer-side signatures / sender IDs: CreateUSMSSignature, QueryUSMSSignature, UpdateUSMSSignature,
 * DeleteUSMSSignature. `SigContent` is UCloud's word, `SenderId` uSpeedo's: both are accepted and the
 * answer uses the one the request used. A signature of another account answers like an unknown one (18016).
 * Signatures always go through the operator's review (`usms sender approve` / `usms sender reject`).
 */

export const MAX_DESCRIPTION_CHARS = 128;
/** Certificates (File, ProxyFile) are base64 of at most 4 MB. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

type SenderField = 'SigContent' | 'SenderId';

/** The word the request used; when it used neither (a query by SigId), the dialect's own word. */
function senderFieldOf(params: Record<string, unknown>, dialect?: Dialect): SenderField {
  if (params.SigContent !== undefined) return 'SigContent';
  if (params.SenderId !== undefined) return 'SenderId';
  return dialect === undefined || dialect === 'ucloud' ? 'SigContent' : 'SenderId';
}

function sigContent(params: Record<string, unknown>, field: SenderField, required: boolean): string | undefined {
  const name = stringParam(params, field, { max: 64, required });
  if (name === undefined) return undefined;
  const problem = senderNameProblem(name);
  if (problem) throw invalidParameter(field, problem);
  return name;
}

/** Why `text` is not an acceptable base64 certificate, or undefined. */
export function base64FileProblem(text: string): string | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!compact) return 'is empty';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 === 1) return 'must be the file encoded as base64';
  const bytes = Math.floor((compact.length * 3) / 4) - (compact.match(/=+$/)?.[0].length ?? 0);
  if (bytes > MAX_FILE_BYTES) return `the file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`;
  return undefined;
}

function fileParam(params: Record<string, unknown>, name: string): string | undefined {
  const v = params[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw invalidParameter(name, 'must be the file encoded as base64');
  const problem = base64FileProblem(v);
  if (problem) throw invalidParameter(name, problem);
  return v.replace(/\s+/g, '');
}

export interface SignatureFields {
  name: string;
  sigType: number;
  sigPurpose: number;
  certificateType: number;
  description: string;
  international: boolean;
  file?: string;
  proxyFile?: string;
}

const TYPE_WHY = 'must be 0 (company), 1 (app), 2 (website), 3 (official account / mini program), 4 (trademark) or 5 (government / public institution)';

/** The optional fields of Create/UpdateUSMSSignature, checked; only the ones sent are set. */
export function parseSignatureChanges(params: Record<string, unknown>, field: SenderField = senderFieldOf(params)): Partial<SignatureFields> {
  const out: Partial<SignatureFields> = {};
  const name = sigContent(params, field, false);
  if (name !== undefined) out.name = name;
  const sigType = intParam(params, 'SigType', { min: 0, max: 5, why: TYPE_WHY });
  if (sigType !== undefined) out.sigType = sigType;
  const sigPurpose = intParam(params, 'SigPurpose', { min: 0, max: 1, why: 'must be 0 (own use) or 1 (used for a third party)' });
  if (sigPurpose !== undefined) out.sigPurpose = sigPurpose;
  const certificateType = intParam(params, 'CertificateType', { min: 0, max: 5 });
  if (certificateType !== undefined) out.certificateType = certificateType;
  const description = stringParam(params, 'Description', { max: MAX_DESCRIPTION_CHARS });
  if (description !== undefined) out.description = description;
  const international = boolParam(params, 'International');
  if (international !== undefined) out.international = international;
  const file = fileParam(params, 'File');
  if (file !== undefined) out.file = file;
  const proxyFile = fileParam(params, 'ProxyFile');
  if (proxyFile !== undefined) out.proxyFile = proxyFile;
  return out;
}

/** CreateUSMSSignature's params, checked: SigContent (or SenderId) is required, the rest defaults to 0 / empty. */
export function parseNewSignature(params: Record<string, unknown>, field: SenderField = senderFieldOf(params)): SignatureFields {
  const name = sigContent(params, field, true)!;
  const c = parseSignatureChanges(params, field);
  return {
    name,
    sigType: c.sigType ?? 0,
    sigPurpose: c.sigPurpose ?? 0,
    certificateType: c.certificateType ?? c.sigType ?? 0,
    description: c.description ?? '',
    international: c.international ?? false,
    file: c.file,
    proxyFile: c.proxyFile,
  };
}

/**
 * What an update does to `current`: refused once approved (2) or disabled (4); any real change is a new
 * application, back to review (1) with ErrDesc cleared. Fields equal to the current ones are no change.
 */
export function planSignatureUpdate(current: Sender, changes: Partial<SignatureFields>): SenderPatch {
  if (current.status === TemplateStatus.Approved) {
    throw new UsmsError(RetCode.InvalidParameter, `signature ${current.id} is approved and can no longer be changed; apply for a new signature instead`);
  }
  if (current.status === TemplateStatus.Disabled) {
    throw new UsmsError(RetCode.InvalidParameter, `signature ${current.id} is disabled by the operator and cannot be changed`);
  }
  const patch: SenderPatch = {};
  if (changes.name !== undefined && changes.name !== current.name) patch.name = changes.name;
  if (changes.sigType !== undefined && changes.sigType !== current.sigType) patch.sigType = changes.sigType;
  if (changes.sigPurpose !== undefined && changes.sigPurpose !== current.sigPurpose) patch.sigPurpose = changes.sigPurpose;
  if (changes.certificateType !== undefined && changes.certificateType !== current.certificateType) patch.certificateType = changes.certificateType;
  if (changes.description !== undefined && changes.description !== current.description) patch.description = changes.description;
  if (changes.international !== undefined && changes.international !== current.international) patch.international = changes.international;
  if (changes.file !== undefined) patch.file = changes.file;
  if (changes.proxyFile !== undefined) patch.proxyFile = changes.proxyFile;
  if (Object.keys(patch).length > 0) {
    patch.status = TemplateStatus.Reviewing;
    patch.reason = '';
  }
  return patch;
}

const unknownSignatures = (what: string[]) =>
  new UsmsError(
    RetCode.NoApprovedSignature,
    what.length === 1 ? `signature ${what[0]} does not exist` : `signatures ${what.join(', ')} do not exist`,
  );

async function refuseDuplicate(ctx: ActionContext, field: SenderField, name: string, exceptId?: string): Promise<void> {
  const existing = await findSender(ctx.services.db, ctx.caller.accountId, { name });
  if (existing && existing.id !== exceptId) {
    throw invalidParameter(field, `signature ${name} already exists (SigId ${existing.id})`);
  }
}

/** CreateUSMSSignature -> SigId (and SigContent/SenderId as sent). Starts under review (1). */
export async function createSignatureAction(ctx: ActionContext, params: Record<string, unknown>): Promise<ActionAnswer> {
  const field = senderFieldOf(params, ctx.dialect);
  const f = parseNewSignature(params, field);
  await refuseDuplicate(ctx, field, f.name);
  const id = await insertSignature(ctx.services.db, ctx.caller.accountId, f, TemplateStatus.Reviewing);
  return { fields: { SigId: id, [field]: f.name } };
}

/** Stores a checked signature (parseNewSignature) in `status`; its SigId. */
export function insertSignature(db: Db, accountId: number, f: SignatureFields, status: number): Promise<string> {
  return createSender(db, {
    accountId,
    name: f.name,
    status,
    sigType: f.sigType,
    sigPurpose: f.sigPurpose,
    certificateType: f.certificateType,
    description: f.description,
    international: f.international,
    file: f.file,
    proxyFile: f.proxyFile,
  });
}

/** QueryUSMSSignature: `SigId` or `SigContent`/`SenderId` (both must match when both are given) -> `Data` = one OutSignature. */
export async function querySignatureAction(ctx: ActionContext, params: Record<string, unknown>): Promise<ActionAnswer> {
  const field = senderFieldOf(params, ctx.dialect);
  const id = stringParam(params, 'SigId', { max: 64 }) || undefined;
  const name = stringParam(params, field, { max: 64 }) || undefined;
  if (!id && !name) throw missingParameter('SigId');
  const found = await findSender(ctx.services.db, ctx.caller.accountId, { id, name });
  if (!found) throw unknownSignatures([id ?? name!]);
  return { fields: { Data: { SigId: found.id, [field]: found.name, Status: found.status, ErrDesc: found.reason } } };
}

/** UpdateUSMSSignature: only while not approved; any change goes back to review. */
export async function updateSignatureAction(ctx: ActionContext, params: Record<string, unknown>): Promise<ActionAnswer> {
  const id = stringParam(params, 'SigId', { max: 64, required: true })!;
  const field = senderFieldOf(params, ctx.dialect);
  const changes = parseSignatureChanges(params, field);
  if (Object.keys(changes).length === 0) {
    throw new UsmsError(RetCode.MissingParameter, `Missing parameter [${field}]: give the new ${field} or another field to change (SigType, SigPurpose, CertificateType, Description, File)`);
  }
  if (changes.name !== undefined) await refuseDuplicate(ctx, field, changes.name, id);
  const updated = await updateSender(ctx.services.db, ctx.caller.accountId, id, (current) => planSignatureUpdate(current, changes));
  if (!updated) throw unknownSignatures([id]);
  return { fields: {} };
}

/** DeleteUSMSSignature: `SigIds[]`, all or nothing; one unknown (or another account's) id -> 18016, nothing deleted. */
export async function deleteSignatureAction(ctx: ActionContext, params: Record<string, unknown>): Promise<ActionAnswer> {
  let ids = idListParam(params, 'SigIds');
  if (ids.length === 0) ids = idListParam(params, 'SigId');
  if (ids.length === 0) throw missingParameter('SigIds');
  const { missing } = await deleteSenders(ctx.services.db, ctx.caller.accountId, ids);
  if (missing.length) throw unknownSignatures(missing);
  return { fields: {} };
}
