import { queryOptions, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, type Schemas, unwrap } from "../../../lib/api/client";

export type DocumentType = Schemas["DocumentType"];

export interface DocumentSearch {
  vin: string | null;
  q: string | null;
  types: DocumentType[];
}

/** GET /api/air/documents/search: documents by VIN or keywords, optionally of some types only
 * (needs an active AIR pass). */
export function searchDocuments(api: ApiClient, { vin, q, types }: DocumentSearch) {
  return unwrap(
    api.GET("/api/air/documents/search", {
      params: { query: { ...(vin ? { vin } : {}), ...(q ? { q } : {}), ...(types.length ? { type: types } : {}) } },
    }),
  );
}

/** Runs only once there is something to search for. */
export const searchDocumentsQueryOptions = (api: ApiClient, search: DocumentSearch) =>
  queryOptions({
    queryKey: ["air-search", search.vin, search.q, search.types],
    enabled: search.vin !== null || search.q !== null,
    queryFn: () => searchDocuments(api, search),
  });

export function useDocumentSearch(search: DocumentSearch) {
  return useQuery(searchDocumentsQueryOptions(useApi(), search));
}
