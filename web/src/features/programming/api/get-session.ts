import { queryOptions } from "@tanstack/react-query";
import { type ApiClient, unwrap } from "../../../lib/api/client";

export const sessionKey = (sessionId: string) => ["programming-session", sessionId] as const;

/** GET /api/programming/sessions/{session_id}: the session with its jobs. */
export function getSession(api: ApiClient, sessionId: string) {
  return unwrap(api.GET("/api/programming/sessions/{session_id}", { params: { path: { session_id: sessionId } } }));
}

export const sessionQueryOptions = (api: ApiClient, sessionId: string) =>
  queryOptions({ queryKey: sessionKey(sessionId), queryFn: () => getSession(api, sessionId) });
