import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";
import { sessionsQueryKey } from "./get-sessions";

/** POST /api/identity/me/sessions/revoke-all: logs out every login but this one. */
export function revokeOtherSessions(api: ApiClient) {
  return unwrap(api.POST("/api/identity/me/sessions/revoke-all"));
}

export function useRevokeOtherSessions() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => revokeOtherSessions(api),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionsQueryKey }),
  });
}
