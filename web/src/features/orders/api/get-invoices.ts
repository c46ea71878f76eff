import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";
import type { InvoiceKind } from "../../shop";

/** GET /api/billing/invoices: invoices and credit notes, newest first; `kind` keeps one of them. */
export function getInvoices(api: ApiClient, { kind, limit, offset }: { kind: InvoiceKind | null; limit: number; offset: number }) {
  return unwrap(api.GET("/api/billing/invoices", { params: { query: { ...(kind === null ? {} : { kind }), limit, offset } } }));
}

export function useInvoices(filter: { kind: InvoiceKind | null; limit: number; offset: number }) {
  const api = useApi();
  // Under "orders": a payment or a refund that changes orders issues invoices too.
  return useQuery({ queryKey: ["orders", "invoices", filter], queryFn: () => getInvoices(api, filter), placeholderData: keepPreviousData });
}
