import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { callApi } from "../../../lib/api/call";
import type { ApiClient } from "../../../lib/api/client";

/** Whether billing mails the organisation before its paid time ends, and how many hours before
 * (1..168). Typed by hand until the route is in openapi.json. */
export interface ExpiryNotification {
  email: boolean;
  hours_before: number;
}

const path = "/api/billing/notifications/expiry";

/** GET /api/billing/notifications/expiry */
export function getExpiryNotification(api: ApiClient) {
  return callApi<ExpiryNotification>(api, "GET", path);
}

/** PUT /api/billing/notifications/expiry */
export function putExpiryNotification(api: ApiClient, body: ExpiryNotification) {
  return callApi<ExpiryNotification>(api, "PUT", path, { body });
}

const options = (api: ApiClient) => queryOptions({ queryKey: ["notifications", "expiry"], queryFn: () => getExpiryNotification(api) });

export function useExpiryNotification() {
  return useQuery(options(useApi()));
}

export function useSaveExpiryNotification() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ExpiryNotification) => putExpiryNotification(api, body),
    onSuccess: (saved) => queryClient.setQueryData(options(api).queryKey, saved),
  });
}
