import { useMutation } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, type Schemas, unwrap } from "../../../lib/api/client";

export type ResetTotpInput = Schemas["TotpResetCreate"];

/** POST /api/identity/auth/totp-reset: lost phone: e-mail, password and a recovery code give an enrolment token for a new authenticator. */
export function resetTotp(api: ApiClient, input: ResetTotpInput) {
  return unwrap(api.POST("/api/identity/auth/totp-reset", { body: input }));
}

export function useResetTotp() {
  const api = useApi();
  return useMutation({
    mutationFn: (input: ResetTotpInput) => resetTotp(api, input),
  });
}
