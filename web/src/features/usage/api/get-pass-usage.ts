import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { callApi } from "../../../lib/api/call";
import type { ApiClient } from "../../../lib/api/client";
import type { PassUsageList } from "./types";

/** GET /api/billing/usage/passes: per pass bought, the time used against the time bought. */
export function getPassUsage(api: ApiClient) {
  return callApi<PassUsageList>(api, "GET", "/api/billing/usage/passes");
}

export function usePassUsage() {
  const api = useApi();
  return useQuery({ queryKey: ["usage", "passes"], queryFn: () => getPassUsage(api) });
}
