import type { ApiClient } from "../../../lib/api/client";
import { ApiError } from "../../../lib/problem";

/**
 * GET /api/programming/sessions/{session_id}/events: the session's server-sent events as a byte
 * stream (read with fetch: EventSource cannot send the Authorization header). Throws ApiError
 * when the server refuses.
 */
export async function openSessionEvents(api: ApiClient, sessionId: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const { data, error, response } = await api.GET("/api/programming/sessions/{session_id}/events", {
    params: { path: { session_id: sessionId } },
    parseAs: "stream",
    signal,
  });
  if (!response.ok || !data) throw new ApiError(response.status, error);
  return data;
}
