import { queryOptions, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";
import { useAuth } from "../session/AuthProvider";

/** GET /api/identity/me: the signed-in user (with their role) and their organisation. */
export function getMe(api: ApiClient) {
  return unwrap(api.GET("/api/identity/me"));
}

// Signing out clears the whole query cache, so the next user never sees this one's answer.
export const meQueryOptions = (api: ApiClient) => queryOptions({ queryKey: ["me"], queryFn: () => getMe(api) });

/** Who is signed in; asked only while someone is. */
export function useMe() {
  const api = useApi();
  const { status } = useAuth();
  return useQuery({ ...meQueryOptions(api), enabled: status === "signed-in" });
}
