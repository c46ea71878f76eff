import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** GET /api/billing/usage/passes: per pass bought, the time used against the time bought. */
export function getPassUsage(api: ApiClient) {
  return unwrap(api.GET("/api/billing/usage/passes"));
}

export function usePassUsage() {
  const api = useApi();
  return useQuery({ queryKey: ["usage", "passes"], queryFn: () => getPassUsage(api) });
}
