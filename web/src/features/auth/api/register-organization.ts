import { useMutation } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, type Schemas, unwrap } from "../../../lib/api/client";

export type RegistrationInput = Schemas["OrganizationCreate"];

/** POST /api/identity/organizations: the company and its owner; a verification mail goes out. */
export function registerOrganization(api: ApiClient, input: RegistrationInput) {
  return unwrap(api.POST("/api/identity/organizations", { body: input }));
}

export function useRegisterOrganization() {
  const api = useApi();
  return useMutation({ mutationFn: (input: RegistrationInput) => registerOrganization(api, input) });
}
