import { queryOptions } from "@tanstack/react-query";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** GET /api/programming/sessions/{session_id}/report: versions before and after, and the UDS trace summary. */
export function getSessionReport(api: ApiClient, sessionId: string) {
  return unwrap(api.GET("/api/programming/sessions/{session_id}/report", { params: { path: { session_id: sessionId } } }));
}

export const sessionReportQueryOptions = (api: ApiClient, sessionId: string) =>
  queryOptions({ queryKey: ["programming-report", sessionId], queryFn: () => getSessionReport(api, sessionId) });
