import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, type Schemas, unwrap } from "../../../lib/api/client";

/** Whether billing mails the organisation before its paid time ends, and how many hours before
 * (1..168). */
export type ExpiryNotification = Schemas["ExpiryNotificationUpdate"];

const path = "/api/billing/notifications/expiry" as const;

/** GET /api/billing/notifications/expiry */
export function getExpiryNotification(api: ApiClient) {
  return unwrap(api.GET(path));
}

/** PUT /api/billing/notifications/expiry */
export function putExpiryNotification(api: ApiClient, body: ExpiryNotification) {
  return unwrap(api.PUT(path, { body }));
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
