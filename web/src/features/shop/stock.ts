import type { Product } from "./api/types";

/** From this many units down, the shop says "only N left" instead of "in stock". */
export const FEW_LEFT = 5;

export type StockLevel = { level: "in-stock" } | { level: "few"; left: number } | { level: "sold-out" };

/** How a tool's stock is shown; null for passes, which have no stock. */
export function stockLevel(product: Pick<Product, "kind" | "stock_available">): StockLevel | null {
  if (product.kind !== "TOOL" || product.stock_available === null) return null;
  if (product.stock_available <= 0) return { level: "sold-out" };
  if (product.stock_available <= FEW_LEFT) return { level: "few", left: product.stock_available };
  return { level: "in-stock" };
}
