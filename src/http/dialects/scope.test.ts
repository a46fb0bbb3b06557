import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetCode, UsmsError } from '../../sms/errors.ts';
import { assertOwnScope } from './scope.ts';

const caller = { accountId: 7, projectId: 'org-abc' };
const refused = (params: Record<string, unknown>) =>
  assert.throws(() => assertOwnScope(params, caller), (e: unknown) => e instanceof UsmsError && e.retCode === RetCode.ProjectNotAuthorised, JSON.stringify(params));

test('the key\'s own AccountId / ProjectId, or none, passes; an empty one counts as absent', () => {
  for (const params of [{}, { AccountId: 7 }, { AccountId: '7' }, { ProjectId: 'org-abc' }, { AccountId: 7, ProjectId: 'org-abc' }, { AccountId: '', ProjectId: '' }, { AccountId: null }]) {
    assert.doesNotThrow(() => assertOwnScope(params, caller), JSON.stringify(params));
  }
});

test('another AccountId or ProjectId, in either wording, is 290', () => {
  for (const params of [{ AccountId: 8 }, { AccountId: '8' }, { AccountId: '07x' }, { ProjectId: 'org-other' }, { AccountId: 7, ProjectId: 'org-other' }, { ProjectId: 'org-abc', AccountId: 70 }]) refused(params);
});

test('a list or object is not an account', () => {
  refused({ AccountId: [7] });
  refused({ ProjectId: { id: 'org-abc' } });
});
