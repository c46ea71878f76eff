import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { callApi } from "../../../lib/api/call";
import type { ApiClient } from "../../../lib/api/client";
import type { OrderList } from "./types";

/** GET /api/billing/orders: the organisation's orders, newest first. */
export function getOrders(api: ApiClient, { limit, offset }: { limit: number; offset: number }) {
  return callApi<OrderList>(api, "GET", "/api/billing/orders", { query: { limit, offset } });
}

export function useOrders(page: { limit: number; offset: number }) {
  const api = useApi();
  return useQuery({ queryKey: ["orders", "list", page], queryFn: () => getOrders(api, page), placeholderData: keepPreviousData });
}
