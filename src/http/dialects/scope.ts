import type { Caller } from '../../actions/context.ts';
import { RetCode, UsmsError } from '../../sms/errors.ts';

const given = (v: unknown) => v !== undefined && v !== null && v !== '';
const scalar = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : undefined);

/**
 * A request may name its account (`AccountId`, uSpeedo wording) or project (`ProjectId`, UCloud wording) in
 * any dialect. Either one that is not the key's own is refused with 290 (the REST routes answer it as
 * 215392): ignoring it would act on the key's account while the caller meant another one.
 */
export function assertOwnScope(params: Record<string, unknown>, caller: Pick<Caller, 'accountId' | 'projectId'>): void {
  const { AccountId: accountId, ProjectId: projectId } = params;
  if (given(accountId) && scalar(accountId) !== String(caller.accountId)) {
    throw new UsmsError(RetCode.ProjectNotAuthorised, `AccountId ${String(accountId)} is not authorised for this key`);
  }
  if (given(projectId) && scalar(projectId) !== caller.projectId) {
    throw new UsmsError(RetCode.ProjectNotAuthorised, `project ${String(projectId)} is not authorised for this key`);
  }
}
