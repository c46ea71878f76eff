import { useMutation } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, type Schemas, unwrap } from "../../../lib/api/client";

export type CloseOrganizationInput = Schemas["OrganizationCloseCreate"];

/** POST /api/identity/organizations/current/close (owner, password and authenticator): erases every member's personal data. */
export function closeOrganization(api: ApiClient, input: CloseOrganizationInput) {
  return unwrap(api.POST("/api/identity/organizations/current/close", { body: input }));
}

export function useCloseOrganization() {
  const api = useApi();
  return useMutation({ mutationFn: (input: CloseOrganizationInput) => closeOrganization(api, input) });
}
