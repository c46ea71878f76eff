import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";
import type { QuoteRequest } from "./types";

/** POST /api/billing/checkout/quote: what these lines cost this organisation (tax, shipping, windows). */
export function getQuote(api: ApiClient, request: QuoteRequest) {
  return unwrap(api.POST("/api/billing/checkout/quote", { body: request }));
}

/** The quote for the current lines; the previous one stays shown while the next is asked for. */
export function useQuote(request: QuoteRequest, { enabled }: { enabled: boolean }) {
  const api = useApi();
  return useQuery({
    queryKey: ["checkout", "quote", request],
    queryFn: () => getQuote(api, request),
    enabled,
    placeholderData: keepPreviousData,
    // A quote holds windows computed from "now": asked again whenever the page is shown.
    staleTime: 0,
  });
}
