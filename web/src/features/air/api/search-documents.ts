import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useApi } from "../../../lib/api/ApiProvider";
import { requestJson } from "../../../lib/api/call";
import type { ApiClient } from "../../../lib/api/client";
import type { DocumentList, DocumentType } from "./types";

export type { DocumentType } from "./types";

export interface DocumentSearch {
  vin: string | null;
  /** Keywords, possibly with a VIN in them ("WBA… brake"): the server takes the VIN out. */
  q: string | null;
  types: DocumentType[];
  system?: string | null;
  component?: string | null;
}

/** GET /api/air/documents/search: documents by VIN and/or keywords, narrowed by type, system and
 * component, in `lang` (needs an AIR pass, or the VIN's own pass). */
export function searchDocuments(api: ApiClient, { vin, q, types, system, component }: DocumentSearch, lang: string) {
  return requestJson<DocumentList>(api, "GET", "/api/air/documents/search", {
    query: {
      vin: vin ?? undefined,
      q: q ?? undefined,
      type: types.length ? types : undefined,
      system: system ?? undefined,
      component: component ?? undefined,
      lang,
    },
  });
}

/** Runs only once there is something to search for; the language is part of the key, so
 * switching it asks again. */
export const searchDocumentsQueryOptions = (api: ApiClient, search: DocumentSearch, lang: string) =>
  queryOptions({
    queryKey: ["air-search", lang, search.vin, search.q, search.types, search.system ?? null, search.component ?? null],
    enabled: search.vin !== null || search.q !== null,
    queryFn: () => searchDocuments(api, search, lang),
    // A new filter keeps the old results (and facets) on screen until the new ones arrive.
    placeholderData: keepPreviousData,
  });

export function useDocumentSearch(search: DocumentSearch, { enabled = true }: { enabled?: boolean } = {}) {
  const { i18n } = useTranslation();
  const options = searchDocumentsQueryOptions(useApi(), search, i18n.language);
  return useQuery({ ...options, enabled: enabled && options.enabled !== false });
}
