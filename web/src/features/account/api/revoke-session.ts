import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";
import { sessionsQueryKey } from "./get-sessions";

/** DELETE /api/identity/me/sessions/{session_id}: logs that login out (its refresh tokens end). */
export function revokeSession(api: ApiClient, sessionId: string) {
  return unwrap(api.DELETE("/api/identity/me/sessions/{session_id}", { params: { path: { session_id: sessionId } } }));
}

export function useRevokeSession() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (sessionId: string) => revokeSession(api, sessionId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionsQueryKey }),
  });
}
