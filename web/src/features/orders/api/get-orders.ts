import { useInfiniteQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** GET /api/billing/orders: the organisation's orders, newest first. */
export function getOrders(api: ApiClient, { limit, offset }: { limit: number; offset: number }) {
  return unwrap(api.GET("/api/billing/orders", { params: { query: { limit, offset } } }));
}

/** The orders page by page (`pageSize` each, by offset: billing caps one answer's limit). A
 * page shorter than asked for is the last one. */
export function useOrders({ pageSize }: { pageSize: number }) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: ["orders", "list", pageSize],
    queryFn: ({ pageParam }) => getOrders(api, { limit: pageSize, offset: pageParam }),
    initialPageParam: 0,
    getNextPageParam: (last, pages) => (last.items.length < pageSize ? undefined : pages.length * pageSize),
  });
}
