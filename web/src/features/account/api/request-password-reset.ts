import { useMutation } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, type Schemas, unwrap } from "../../../lib/api/client";

export type RequestPasswordResetInput = Schemas["PasswordResetCreate"];

/** POST /api/identity/password-resets: mails a reset link if the address has an account (the answer is the same either way). */
export function requestPasswordReset(api: ApiClient, input: RequestPasswordResetInput) {
  return unwrap(api.POST("/api/identity/password-resets", { body: input }));
}

export function useRequestPasswordReset() {
  const api = useApi();
  return useMutation({
    mutationFn: (input: RequestPasswordResetInput) => requestPasswordReset(api, input),
  });
}
