import { queryOptions, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** GET /api/billing/catalog/products (public): passes, per-VIN passes and tools, with prices. */
export function getProducts(api: ApiClient) {
  return unwrap(api.GET("/api/billing/catalog/products"));
}

export const productsQueryOptions = (api: ApiClient) => queryOptions({ queryKey: ["catalog"], queryFn: () => getProducts(api) });

/** `enabled: false` for a member who may not buy: the catalog is not even asked for. */
export function useProducts({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({ ...productsQueryOptions(useApi()), enabled });
}
