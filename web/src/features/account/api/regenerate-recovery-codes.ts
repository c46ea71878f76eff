import { useMutation } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, type Schemas, unwrap } from "../../../lib/api/client";

export type RegenerateRecoveryCodesInput = Schemas["RecoveryCodesCreate"];

/** POST /api/identity/me/recovery-codes: ten new recovery codes, in this answer only; the old ones stop working. */
export function regenerateRecoveryCodes(api: ApiClient, input: RegenerateRecoveryCodesInput) {
  return unwrap(api.POST("/api/identity/me/recovery-codes", { body: input }));
}

export function useRegenerateRecoveryCodes() {
  const api = useApi();
  return useMutation({
    mutationFn: (input: RegenerateRecoveryCodesInput) => regenerateRecoveryCodes(api, input),
  });
}
