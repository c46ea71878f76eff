import { queryOptions } from "@tanstack/react-query";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** GET /api/programming/agents/{agent_id}/vehicle: VIN and ECUs, read from the car by the agent. */
export function getAgentVehicle(api: ApiClient, agentId: string) {
  return unwrap(api.GET("/api/programming/agents/{agent_id}/vehicle", { params: { path: { agent_id: agentId } } }));
}

export const agentVehicleQueryOptions = (api: ApiClient, agentId: string) =>
  queryOptions({
    queryKey: ["agent-vehicle", agentId],
    queryFn: () => getAgentVehicle(api, agentId),
    // Each read goes to the car through the agent: only when asked, never again on its own.
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
