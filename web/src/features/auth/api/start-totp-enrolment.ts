import { useMutation } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** POST /api/identity/totp/enrolment with the login's enrolment token: a new secret and its QR code. */
export function startTotpEnrolment(api: ApiClient, enrolmentToken: string) {
  return unwrap(api.POST("/api/identity/totp/enrolment", { headers: { Authorization: `Bearer ${enrolmentToken}` } }));
}

export function useStartTotpEnrolment(enrolmentToken: string | null) {
  const api = useApi();
  return useMutation({ mutationFn: () => startTotpEnrolment(api, enrolmentToken ?? "") });
}
