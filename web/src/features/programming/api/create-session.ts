import { type ApiClient, unwrap } from "../../../lib/api/client";

/** POST /api/programming/sessions: plans a session for the car the agent reads. */
export function createSession(api: ApiClient, { agentId, vin }: { agentId: string; vin: string }) {
  return unwrap(api.POST("/api/programming/sessions", { body: { agent_id: agentId, vin } }));
}
