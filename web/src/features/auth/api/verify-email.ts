import { useMutation } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** POST /api/identity/email-verifications: spends the (single-use) token of a verification mail. */
export function verifyEmail(api: ApiClient, token: string) {
  return unwrap(api.POST("/api/identity/email-verifications", { body: { token } }));
}

export function useVerifyEmail() {
  const api = useApi();
  return useMutation({ mutationFn: (token: string) => verifyEmail(api, token) });
}
