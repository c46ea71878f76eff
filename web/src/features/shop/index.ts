// The shop feature's public surface: the catalog, the organisation's cart, the checkout, and the
// "just this car" offer that AIR and programming show where a VIN has no pass.
export { productsQueryOptions, useProducts } from "./api/get-products";
export type { Address, Amounts, InvoiceKind, Order, OrderLine, OrderStatus, Product, Scope, TaxSummary } from "./api/types";
export { JustThisCar } from "./components/JustThisCar";
export { formatRate } from "./format";
export { useCart } from "./hooks/useCart";
export { CheckoutPage, type DirectCheckout } from "./routes/CheckoutPage";
export { ShopPage } from "./routes/ShopPage";
export { StockBadge } from "./components/StockBadge";
