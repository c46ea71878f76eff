import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, type Schemas, unwrap } from "../../../lib/api/client";
import { companyProfileQueryKey } from "./get-company-profile";

export type CompanyProfileInput = Schemas["CompanyProfileUpdate"];

/** PATCH /api/identity/organizations/current (owner, admin): the fields sent change, the others stay. */
export function updateCompanyProfile(api: ApiClient, input: CompanyProfileInput) {
  return unwrap(api.PATCH("/api/identity/organizations/current", { body: input }));
}

export function useUpdateCompanyProfile() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CompanyProfileInput) => updateCompanyProfile(api, input),
    onSuccess: (profile) => queryClient.setQueryData(companyProfileQueryKey, profile),
  });
}
