import { type ApiClient, unwrap } from "../../../lib/api/client";

/** DELETE /api/programming/agents/{agent_id}: the agent can no longer connect. */
export function revokeAgent(api: ApiClient, agentId: string) {
  return unwrap(api.DELETE("/api/programming/agents/{agent_id}", { params: { path: { agent_id: agentId } } }));
}
