import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import { useApi } from "../../../lib/api/ApiProvider";
import type { Schemas } from "../../../lib/api/client";
import { randomUuid } from "../../../lib/ids";
import { ApiError } from "../../../lib/problem";
import { createOrder } from "../api/create-order";
import { getOrder } from "../api/get-order";
import { startPayment } from "../api/start-payment";

type Order = Schemas["OrderRead"];

export interface PurchaseOptions {
  /** Milliseconds between looks at the order while the payment is under way. */
  pollMs?: number;
  /** Give up waiting after this many looks (the order stays and can be seen later). */
  maxPolls?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Buying a pass: create the order, start its payment, wait until it is paid or failed.
 *
 * Each click intent gets one Idempotency-Key, reused until the server gave a final answer:
 * a second click while the first is under way is ignored, and a retry after a lost connection
 * sends the same key, so the server returns the first order instead of selling a second pass.
 */
export function usePurchase({ pollMs = 1000, maxPolls = 120 }: PurchaseOptions = {}) {
  const api = useApi();
  const queryClient = useQueryClient();
  const keys = useRef(new Map<string, string>());
  const busy = useRef(false);

  const mutation = useMutation<Order, unknown, string>({
    mutationFn: async (productCode) => {
      let key = keys.current.get(productCode);
      if (key === undefined) {
        key = randomUuid();
        keys.current.set(productCode, key);
      }
      let order = await createOrder(api, { productCode, idempotencyKey: key });
      if (order.status === "pending_payment" && order.payment_id === null) {
        await startPayment(api, { orderId: order.id, idempotencyKey: `${key}-payment` });
      }
      for (let look = 0; order.status === "pending_payment" && look < maxPolls; look += 1) {
        await sleep(pollMs);
        order = await getOrder(api, order.id);
      }
      return order;
    },
    onSettled: (_order, error, productCode) => {
      busy.current = false;
      // Keep the key only when no answer came (network failure): the retry must reuse it.
      const answered = error === null || error instanceof ApiError;
      if (answered) keys.current.delete(productCode);
      void queryClient.invalidateQueries({ queryKey: ["entitlements"] });
    },
  });

  const buy = (productCode: string) => {
    // The button is disabled while pending, but two clicks can land before React re-renders.
    if (busy.current) return;
    busy.current = true;
    mutation.mutate(productCode);
  };

  return { buy, mutation };
}
