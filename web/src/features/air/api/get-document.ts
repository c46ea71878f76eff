import { queryOptions, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { fetchFile, requestJson } from "../../../lib/api/call";
import type { ApiClient } from "../../../lib/api/client";
import type { DocumentRead } from "./types";

export interface DocumentRequest {
  documentId: string;
  /** The vehicle it is read for (a per-VIN pass reads only that car's documents). */
  vin: string | null;
  lang: string;
}

const path = (documentId: string) => `/api/air/documents/${encodeURIComponent(documentId)}`;

/** GET /api/air/documents/{document_id}: one document with its Markdown body and diagram, in
 * `lang` when it exists in it. */
export function getDocument(api: ApiClient, { documentId, vin, lang }: DocumentRequest) {
  return requestJson<DocumentRead>(api, "GET", path(documentId), { query: { vin: vin ?? undefined, lang } });
}

export const documentQueryOptions = (api: ApiClient, request: DocumentRequest) =>
  queryOptions({ queryKey: ["air-document", request.documentId, request.vin, request.lang], queryFn: () => getDocument(api, request) });

export function useDocument(request: DocumentRequest) {
  return useQuery(documentQueryOptions(useApi(), request));
}

/** GET /api/air/documents/{document_id}/pdf: the document as PDF with the vehicle and the
 * workshop printed on it (same pass rules as reading it). */
export function downloadDocumentPdf(api: ApiClient, { documentId, vin, lang }: DocumentRequest) {
  return fetchFile(api, `${path(documentId)}/pdf`, { query: { vin: vin ?? undefined, lang }, fallbackName: `${documentId}.pdf` });
}
