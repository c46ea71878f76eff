import { useMutation } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, type Schemas, unwrap } from "../../../lib/api/client";

export type ChangeEmailInput = Schemas["EmailChangeCreate"];

/** POST /api/identity/me/email-changes: mails a confirmation link to the new address (same answer whether it is free or not). */
export function changeEmail(api: ApiClient, input: ChangeEmailInput) {
  return unwrap(api.POST("/api/identity/me/email-changes", { body: input }));
}

export function useChangeEmail() {
  const api = useApi();
  return useMutation({
    mutationFn: (input: ChangeEmailInput) => changeEmail(api, input),
  });
}
