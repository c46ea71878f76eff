import { useMutation } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** POST /api/identity/totp/enrolment/confirm: the first code from the app; answers the recovery codes. */
export function confirmTotpEnrolment(api: ApiClient, { enrolmentToken, code }: { enrolmentToken: string; code: string }) {
  return unwrap(
    api.POST("/api/identity/totp/enrolment/confirm", { headers: { Authorization: `Bearer ${enrolmentToken}` }, body: { code } }),
  );
}

export function useConfirmTotpEnrolment(enrolmentToken: string | null) {
  const api = useApi();
  return useMutation({ mutationFn: (code: string) => confirmTotpEnrolment(api, { enrolmentToken: enrolmentToken ?? "", code }) });
}
