import { useMutation } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** POST /api/identity/password-resets/confirm: the mailed token (in the body, never in a logged path) sets a new password; every login ends. */
export function confirmPasswordReset(api: ApiClient, { token, password }: { token: string; password: string }) {
  return unwrap(api.POST("/api/identity/password-resets/confirm", { body: { token, password } }));
}

export function useConfirmPasswordReset() {
  const api = useApi();
  return useMutation({ mutationFn: (input: { token: string; password: string }) => confirmPasswordReset(api, input) });
}
