import type { AccountView } from '../operator/accounts.ts';
import type { NodeView } from '../operator/nodes.ts';
import type { SenderView } from '../operator/senders.ts';
import type { TemplateView } from '../operator/templates.ts';

/*
 * The rows `account list`, `template list`, `sender list` and `nodes` have always printed (camelCase,
 * times in unix ms), kept for the scripts that read them; the operator layer answers PascalCase.
 */

export const legacyAccount = (a: AccountView) => ({ id: a.AccountId, projectId: a.ProjectId, name: a.Name, region: a.Region, status: a.Status });

export const legacyTemplate = (t: TemplateView) => ({
  id: t.TemplateId,
  accountId: t.AccountId,
  name: t.TemplateName,
  content: t.Template,
  purpose: t.Purpose,
  status: t.Status,
  paramCount: t.ParamCount,
  reason: t.ErrDesc,
  remark: t.Remark,
  unsubscribeInfo: t.UnsubscribeInfo,
  instruction: t.Instruction,
  international: t.International,
  createdAt: t.CreateTime * 1000,
  updatedAt: t.UpdateTime * 1000,
});

export const legacySender = (s: SenderView) => ({
  id: s.SigId,
  accountId: s.AccountId,
  name: s.SigContent,
  status: s.Status,
  reason: s.ErrDesc,
  sigType: s.SigType,
  sigPurpose: s.SigPurpose,
  certificateType: s.CertificateType,
  description: s.Description,
  international: s.International,
  createdAt: s.CreateTime * 1000,
  updatedAt: s.UpdateTime * 1000,
});

export const legacyNode = (n: NodeView) => ({ id: n.NodeId, role: n.Role, host: n.Host, pid: n.Pid, startedAt: n.StartedAt, heartbeatAt: n.HeartbeatAt });
