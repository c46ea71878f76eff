import { queryOptions } from "@tanstack/react-query";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** GET /api/programming/agents: the organisation's VCI agents, revoked ones included. */
export function getAgents(api: ApiClient) {
  return unwrap(api.GET("/api/programming/agents"));
}

export const agentsQueryOptions = (api: ApiClient) => queryOptions({ queryKey: ["agents"], queryFn: () => getAgents(api) });
