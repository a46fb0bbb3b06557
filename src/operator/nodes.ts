import { liveNodes } from '../cluster/membership.ts';
import { requireOperator } from './actor.ts';
import type { OperatorContext } from './context.ts';

export interface NodeView {
  NodeId: string;
  /** all | api | worker */
  Role: string;
  Host: string;
  Pid: number;
  /** unix ms */
  StartedAt: number;
  /** unix ms */
  HeartbeatAt: number;
}

/** The server processes sharing this database whose heartbeat is recent (cluster/membership.ts). */
export async function listNodes(ctx: OperatorContext): Promise<{ Nodes: NodeView[] }> {
  requireOperator(ctx.actor);
  const nodes = await liveNodes(ctx.db);
  return { Nodes: nodes.map((n) => ({ NodeId: n.id, Role: n.role, Host: n.host, Pid: n.pid, StartedAt: n.startedAt, HeartbeatAt: n.heartbeatAt })) };
}
