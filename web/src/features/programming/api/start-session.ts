import { type ApiClient, unwrap } from "../../../lib/api/client";
import type { PreflightCheck } from "../components/PreflightChecklist";

/** POST /api/programming/sessions/{session_id}/start: the agent begins with the first job. The
 * body carries the pre-flight checklist the technician ticked at the car; the service refuses
 * a start with an item unticked and records who confirmed it and when. */
export function startSession(api: ApiClient, sessionId: string, confirmed: readonly PreflightCheck[]) {
  return unwrap(
    api.POST("/api/programming/sessions/{session_id}/start", {
      params: { path: { session_id: sessionId } },
      body: {
        preflight: {
          charger_connected: confirmed.includes("charger"),
          ignition_on: confirmed.includes("ignition"),
          no_other_tester: confirmed.includes("noOtherTester"),
        },
      },
    }),
  );
}
