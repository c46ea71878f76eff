import { type ApiClient, unwrap } from "../../../lib/api/client";

/** POST /api/programming/sessions/{session_id}/start: the agent begins with the first job. */
export function startSession(api: ApiClient, sessionId: string) {
  return unwrap(api.POST("/api/programming/sessions/{session_id}/start", { params: { path: { session_id: sessionId } } }));
}
