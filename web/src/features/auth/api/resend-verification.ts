import { useMutation } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** POST /api/identity/email-verifications/resend: a new verification mail for `email`. */
export function resendVerification(api: ApiClient, email: string) {
  return unwrap(api.POST("/api/identity/email-verifications/resend", { body: { email } }));
}

/** Asks identity for a new verification mail. Always answered 202 (it does not say whether the
 * address has an account); the service sends at most one mail a minute per account and silently
 * skips the rest. `send` ignores a second click while a request is under way. */
export function useResendVerification() {
  const api = useApi();
  const resend = useMutation({
    mutationFn: (email: string) => resendVerification(api, email),
  });
  const send = (email: string) => {
    if (!resend.isPending) resend.mutate(email);
  };
  return { resend, send };
}
