import { queryOptions, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** GET /api/air/documents/{document_id}: one document with its Markdown body and diagram. */
export function getDocument(api: ApiClient, documentId: string) {
  return unwrap(api.GET("/api/air/documents/{document_id}", { params: { path: { document_id: documentId } } }));
}

export const documentQueryOptions = (api: ApiClient, documentId: string) =>
  queryOptions({ queryKey: ["air-document", documentId], queryFn: () => getDocument(api, documentId) });

export function useDocument(documentId: string) {
  return useQuery(documentQueryOptions(useApi(), documentId));
}
