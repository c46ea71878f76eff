import { type ApiClient, unwrap } from "../../../lib/api/client";

/** POST /api/programming/sessions/{session_id}/abort: no further job starts; a running one finishes. */
export function abortSession(api: ApiClient, sessionId: string) {
  return unwrap(api.POST("/api/programming/sessions/{session_id}/abort", { params: { path: { session_id: sessionId } } }));
}
