import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { fetchFile } from "../../../lib/api/call";
import { type ApiClient, unwrap } from "../../../lib/api/client";
import type { UsageQuery } from "./types";

const query = ({ from, to, groupBy }: UsageQuery) => ({ from, to, group_by: groupBy });

/** GET /api/billing/usage: AIR searches and documents, programming sessions and jobs per day, member or VIN. */
export function getUsage(api: ApiClient, usage: UsageQuery) {
  return unwrap(api.GET("/api/billing/usage", { params: { query: query(usage) } }));
}

export function useUsage(usage: UsageQuery, { enabled }: { enabled: boolean }) {
  const api = useApi();
  return useQuery({ queryKey: ["usage", "report", usage], queryFn: () => getUsage(api, usage), enabled, placeholderData: keepPreviousData });
}

/** GET /api/billing/usage.csv: the same report as a CSV file, through fetchFile (a text/csv
 * answer the generated client does not type, saved under its Content-Disposition name). */
export function downloadUsageCsv(api: ApiClient, usage: UsageQuery) {
  return fetchFile(api, "/api/billing/usage.csv", { query: query(usage), fallbackName: `usage-${usage.groupBy}-${usage.from}-${usage.to}.csv` });
}
