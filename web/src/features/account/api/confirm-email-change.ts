import { useMutation } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, type Schemas, unwrap } from "../../../lib/api/client";

export type ConfirmEmailChangeInput = Schemas["EmailChangeConfirmCreate"];

/** POST /api/identity/email-changes/confirm: the mailed token makes the new address the account's. */
export function confirmEmailChange(api: ApiClient, input: ConfirmEmailChangeInput) {
  return unwrap(api.POST("/api/identity/email-changes/confirm", { body: input }));
}

export function useConfirmEmailChange() {
  const api = useApi();
  return useMutation({
    mutationFn: (input: ConfirmEmailChangeInput) => confirmEmailChange(api, input),
  });
}
