import { useCallback, useMemo, useSyncExternalStore } from "react";
import { useMe } from "../../auth";
import type { Product } from "../api/types";
import { addLine, type CartLine, itemCount, parseCart, removeLine, serializeCart, setLineQuantity } from "../cart";

// The cart is kept in localStorage, one per organisation (a member of two workshops, or a shared
// workshop PC, never mixes them). It holds product codes, quantities and VINs: nothing secret.
const storageKey = (organizationId: string) => `aos.cart.${organizationId}`;
const listeners = new Set<() => void>();

function read(key: string | null): string | null {
  if (key === null) return null;
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null; // storage disabled: an empty cart
  }
}

function write(key: string, lines: readonly CartLine[]): void {
  try {
    if (lines.length === 0) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, serializeCart(lines));
  } catch {
    // storage full or disabled: the change is lost with the page, nothing else breaks
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  // Another tab changed the cart.
  window.addEventListener("storage", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", listener);
  };
}

/** The organisation's cart, shared by every screen and tab; `ready` once the organisation is known. */
export function useCart() {
  const me = useMe();
  const key = me.data ? storageKey(me.data.organization.id) : null;
  const raw = useSyncExternalStore(subscribe, () => read(key));
  const lines = useMemo(() => parseCart(raw), [raw]);
  const update = useCallback(
    (change: (current: CartLine[]) => CartLine[]) => {
      if (key !== null) write(key, change(parseCart(read(key))));
    },
    [key],
  );
  return {
    ready: key !== null,
    lines,
    count: itemCount(lines),
    add: (product: Product, options?: { quantity?: number; vin?: string | null }) => update((current) => addLine(current, product, options)),
    setQuantity: (lineKey: string, quantity: number, product: Product | undefined) => update((current) => setLineQuantity(current, lineKey, quantity, product)),
    remove: (lineKey: string) => update((current) => removeLine(current, lineKey)),
    clear: () => update(() => []),
  };
}
