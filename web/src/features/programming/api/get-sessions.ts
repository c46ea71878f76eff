import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** Every cached page of the session list (invalidate it when a session changes). */
export const SESSIONS_KEY = ["programming-sessions"] as const;

/** GET /api/programming/sessions: the newest sessions first, a page at a time. */
export function getSessions(api: ApiClient, { limit, offset }: { limit: number; offset: number }) {
  return unwrap(api.GET("/api/programming/sessions", { params: { query: { limit, offset } } }));
}

/** Page `page` (from 1) of `perPage` sessions; the previous page stays shown while it loads. */
export const sessionsQueryOptions = (api: ApiClient, { page, perPage }: { page: number; perPage: number }) =>
  queryOptions({
    queryKey: [...SESSIONS_KEY, page],
    queryFn: () => getSessions(api, { limit: perPage, offset: (page - 1) * perPage }),
    placeholderData: keepPreviousData,
    staleTime: 0,
  });
