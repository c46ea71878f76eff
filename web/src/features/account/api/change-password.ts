import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, type Schemas, unwrap } from "../../../lib/api/client";
import { sessionsQueryKey } from "./get-sessions";

export type ChangePasswordInput = Schemas["PasswordChangeCreate"];

/** POST /api/identity/me/password: a new password; every other login ends, this one stays. */
export function changePassword(api: ApiClient, input: ChangePasswordInput) {
  return unwrap(api.POST("/api/identity/me/password", { body: input }));
}

export function useChangePassword() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: ChangePasswordInput) => changePassword(api, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionsQueryKey }),
  });
}
