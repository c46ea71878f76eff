import { useInfiniteQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";
import type { InvoiceKind } from "../../shop";

/** GET /api/billing/invoices: invoices and credit notes, newest first; `kind` keeps one of them. */
export function getInvoices(api: ApiClient, { kind, limit, offset }: { kind: InvoiceKind | null; limit: number; offset: number }) {
  return unwrap(api.GET("/api/billing/invoices", { params: { query: { ...(kind === null ? {} : { kind }), limit, offset } } }));
}

/** The invoices page by page (`pageSize` each, by offset: billing caps one answer's limit), until
 * as many as billing's `total` are loaded. */
export function useInvoices({ kind, pageSize }: { kind: InvoiceKind | null; pageSize: number }) {
  const api = useApi();
  // Under "orders": a payment or a refund that changes orders issues invoices too.
  return useInfiniteQuery({
    queryKey: ["orders", "invoices", kind, pageSize],
    queryFn: ({ pageParam }) => getInvoices(api, { kind, limit: pageSize, offset: pageParam }),
    initialPageParam: 0,
    getNextPageParam: (last, pages) => {
      const loaded = pages.reduce((count, page) => count + page.items.length, 0);
      return loaded < last.total && last.items.length > 0 ? loaded : undefined;
    },
  });
}
