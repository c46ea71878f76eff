import type { LineInput, Product } from "./api/types";

/** One line of the cart: a product, how many, and for a per-VIN pass the VIN. */
export interface CartLine {
  product_code: string;
  quantity: number;
  vin: string | null;
}

/** Billing takes 1..99 units per line; a pass line is always one. */
export const MAX_QUANTITY = 99;

type Sellable = Pick<Product, "code" | "kind" | "stock_available">;

/** A line's identity in the cart: the product, and for a per-VIN pass its VIN. */
export function lineKey(line: Pick<CartLine, "product_code" | "vin">): string {
  return `${line.product_code}|${line.vin ?? ""}`;
}

/** The most of `product` one line may hold: 1 for passes, else the stock left (at most 99). */
export function maxQuantity(product: Sellable): number {
  if (product.kind !== "TOOL") return 1;
  return Math.max(0, Math.min(MAX_QUANTITY, product.stock_available ?? MAX_QUANTITY));
}

const clamp = (value: number, max: number) => Math.min(max, Math.max(1, Math.floor(value)));

/**
 * The cart with `quantity` of `product` added. A tool already in the cart gets more units (up to
 * the stock left); a pass is bought once per cart, a per-VIN pass once per VIN (it needs one).
 * A sold-out tool or a per-VIN pass without a VIN leave the cart as it was.
 */
export function addLine(lines: readonly CartLine[], product: Sellable, { quantity = 1, vin = null }: { quantity?: number; vin?: string | null } = {}): CartLine[] {
  const max = maxQuantity(product);
  if (max < 1 || !(quantity >= 1)) return [...lines];
  const lineVin = product.kind === "VIN_PASS" ? vin : null;
  if (product.kind === "VIN_PASS" && !lineVin) return [...lines];
  const key = lineKey({ product_code: product.code, vin: lineVin });
  const existing = lines.find((line) => lineKey(line) === key);
  if (existing === undefined) return [...lines, { product_code: product.code, quantity: clamp(quantity, max), vin: lineVin }];
  return lines.map((line) => (line === existing ? { ...line, quantity: clamp(line.quantity + quantity, max) } : line));
}

/** The cart with the line `key` set to `quantity` (kept within 1 and what the product allows). */
export function setLineQuantity(lines: readonly CartLine[], key: string, quantity: number, product: Sellable | undefined): CartLine[] {
  const max = product === undefined ? MAX_QUANTITY : Math.max(1, maxQuantity(product));
  if (!Number.isFinite(quantity)) return [...lines];
  return lines.map((line) => (lineKey(line) === key ? { ...line, quantity: clamp(quantity, max) } : line));
}

export function removeLine(lines: readonly CartLine[], key: string): CartLine[] {
  return lines.filter((line) => lineKey(line) !== key);
}

/** How many units the cart holds (the number next to the cart link). */
export function itemCount(lines: readonly CartLine[]): number {
  return lines.reduce((sum, line) => sum + line.quantity, 0);
}

/**
 * What the cart costs at the catalog's indicative prices (seller-country VAT), in minor units;
 * lines whose product is not in `products` are left out. The checkout's quote is what counts.
 */
export function indicativeTotals(lines: readonly CartLine[], products: readonly Product[]): { net_minor: number; gross_minor: number; currency: string } | null {
  let net = 0;
  let gross = 0;
  let currency: string | null = null;
  for (const line of lines) {
    const product = products.find((item) => item.code === line.product_code);
    if (product === undefined) continue;
    net += product.price.net_minor * line.quantity;
    gross += product.price.gross_minor * line.quantity;
    currency ??= product.price.currency;
  }
  return currency === null ? null : { net_minor: net, gross_minor: gross, currency };
}

/** Whether the cart holds anything that is shipped (a tool). */
export function needsShipping(lines: readonly CartLine[], products: readonly Product[]): boolean {
  return lines.some((line) => products.find((product) => product.code === line.product_code)?.kind === "TOOL");
}

/** The lines as billing's quote and checkout take them. */
export function toLineInputs(lines: readonly CartLine[]): LineInput[] {
  return lines.map((line) => (line.vin === null ? { product_code: line.product_code, quantity: line.quantity } : { product_code: line.product_code, quantity: line.quantity, vin: line.vin }));
}

/**
 * A cart read back from storage. Anything that is not a well-formed line (an older format, a
 * hand-edited value) is dropped rather than sent to billing; an unreadable value is an empty cart.
 */
export function parseCart(raw: string | null): CartLine[] {
  if (raw === null || raw === "") return [];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return [];
  }
  const items = typeof value === "object" && value !== null ? (value as { lines?: unknown }).lines : undefined;
  if (!Array.isArray(items)) return [];
  const lines: CartLine[] = [];
  for (const item of items as unknown[]) {
    if (typeof item !== "object" || item === null) continue;
    const { product_code: code, quantity, vin } = item as Record<string, unknown>;
    if (typeof code !== "string" || code === "") continue;
    if (typeof quantity !== "number" || !Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) continue;
    if (vin !== undefined && vin !== null && typeof vin !== "string") continue;
    const line = { product_code: code, quantity, vin: vin ?? null };
    if (!lines.some((other) => lineKey(other) === lineKey(line))) lines.push(line);
  }
  return lines;
}

export function serializeCart(lines: readonly CartLine[]): string {
  return JSON.stringify({ version: 1, lines });
}
