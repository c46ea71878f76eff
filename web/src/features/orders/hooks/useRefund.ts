import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import { useApi } from "../../../lib/api/ApiProvider";
import { randomUuid } from "../../../lib/ids";
import { ApiError } from "../../../lib/problem";
import { refundPass } from "../api/refund-pass";

/**
 * Refunding a pass. One Idempotency-Key per pass, kept until billing answered: a retry after a
 * lost connection cannot issue a second credit note.
 */
export function useRefund() {
  const api = useApi();
  const queryClient = useQueryClient();
  const keys = useRef(new Map<string, string>());
  return useMutation({
    mutationFn: (entitlementId: string) => {
      let key = keys.current.get(entitlementId);
      if (key === undefined) {
        key = randomUuid();
        keys.current.set(entitlementId, key);
      }
      return refundPass(api, { entitlementId, idempotencyKey: key });
    },
    onSettled: (_result, error, entitlementId) => {
      if (error === null || error instanceof ApiError) keys.current.delete(entitlementId);
      void queryClient.invalidateQueries({ queryKey: ["orders"] });
      void queryClient.invalidateQueries({ queryKey: ["entitlements"] });
    },
  });
}
