import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** GET /api/billing/orders: the organisation's orders, newest first. */
export function getOrders(api: ApiClient, { limit, offset }: { limit: number; offset: number }) {
  return unwrap(api.GET("/api/billing/orders", { params: { query: { limit, offset } } }));
}

export function useOrders(page: { limit: number; offset: number }) {
  const api = useApi();
  return useQuery({ queryKey: ["orders", "list", page], queryFn: () => getOrders(api, page), placeholderData: keepPreviousData });
}
