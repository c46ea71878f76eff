import { queryOptions } from "@tanstack/react-query";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** GET /api/programming/agent-builds: the VCI agent's single-file builds, newest first. */
export function getAgentBuilds(api: ApiClient) {
  return unwrap(api.GET("/api/programming/agent-builds"));
}

export const agentBuildsQueryOptions = (api: ApiClient) => queryOptions({ queryKey: ["agent-builds"], queryFn: () => getAgentBuilds(api) });
