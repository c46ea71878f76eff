import { type ApiClient, unwrap } from "../../../lib/api/client";

/** POST /api/programming/agents/pairing-codes: a short-lived code an agent trades for its credentials. */
export function createPairingCode(api: ApiClient) {
  return unwrap(api.POST("/api/programming/agents/pairing-codes"));
}
