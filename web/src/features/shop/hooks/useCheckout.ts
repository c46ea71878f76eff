import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useApi } from "../../../lib/api/ApiProvider";
import type { ApiClient } from "../../../lib/api/client";
import { randomUuid } from "../../../lib/ids";
import { ApiError } from "../../../lib/problem";
import { getOrder } from "../api/get-order";
import { placeOrder } from "../api/place-order";
import { startPayment } from "../api/start-payment";
import type { CheckoutRequest, Order } from "../api/types";

export interface FollowOptions {
  /** Milliseconds between looks at the order while the payment is under way. */
  pollMs?: number;
  /** Give up waiting after this many looks (the order stays and is seen under Orders). */
  maxPolls?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function follow(api: ApiClient, order: Order, { pollMs, maxPolls }: Required<FollowOptions>, seen: (order: Order) => void): Promise<Order> {
  let current = order;
  for (let look = 0; current.status === "pending_payment" && look < maxPolls; look += 1) {
    await sleep(pollMs);
    current = await getOrder(api, current.id);
    seen(current);
  }
  return current;
}

/**
 * The checkout's confirm: place the order, then follow it until it is paid, failed or expired.
 *
 * One Idempotency-Key per confirmed content (lines, address, terms), kept until billing gave an
 * answer: a second click while the first is under way is ignored, and a retry after a lost
 * connection sends the same key, so billing returns the first order instead of placing a
 * second one. A failed payment is tried again on the same order (`payAgain`). `placed` is the
 * order as last seen once billing took it: from then on the page follows the order, even when a
 * later look at it fails.
 */
export function useCheckout({ pollMs = 1000, maxPolls = 120, onPlaced }: FollowOptions & { onPlaced?: (order: Order) => void } = {}) {
  const api = useApi();
  const queryClient = useQueryClient();
  const keys = useRef(new Map<string, string>());
  const busy = useRef(false);
  const [placed, setPlaced] = useState<Order | null>(null);
  const options = { pollMs, maxPolls };

  const settle = () => {
    busy.current = false;
    void queryClient.invalidateQueries({ queryKey: ["entitlements"] });
    void queryClient.invalidateQueries({ queryKey: ["orders"] });
    void queryClient.invalidateQueries({ queryKey: ["catalog"] });
  };

  const confirm = useMutation<Order, unknown, CheckoutRequest>({
    mutationFn: async (request) => {
      const content = JSON.stringify(request);
      let key = keys.current.get(content);
      if (key === undefined) {
        key = randomUuid();
        keys.current.set(content, key);
      }
      const { order } = await placeOrder(api, request, { idempotencyKey: key });
      setPlaced(order);
      onPlaced?.(order);
      return follow(api, order, options, setPlaced);
    },
    onSettled: (_order, error, request) => {
      // Keep the key only when no answer came (network failure): the retry must reuse it.
      if (error === null || error instanceof ApiError) keys.current.delete(JSON.stringify(request));
      settle();
    },
  });

  const retry = useMutation<Order, unknown, Order>({
    mutationFn: async (order) => {
      await startPayment(api, { orderId: order.id, idempotencyKey: randomUuid() });
      return follow(api, { ...order, status: "pending_payment" }, options, setPlaced);
    },
    onSettled: settle,
  });

  const guarded =
    <T,>(run: (value: T) => void) =>
    (value: T) => {
      // The button is disabled while pending, but two clicks can land before React re-renders.
      if (busy.current) return;
      busy.current = true;
      run(value);
    };

  return {
    confirm: guarded((request: CheckoutRequest) => confirm.mutate(request)),
    payAgain: guarded((order: Order) => {
      retry.reset();
      retry.mutate(order);
    }),
    /** The order once billing took it, as last seen (null before). */
    placed,
    /** Placing the order or following its payment is under way. */
    pending: confirm.isPending || retry.isPending,
    /** Why placing failed (nothing was placed while `placed` is null). */
    error: retry.error ?? confirm.error,
  };
}
