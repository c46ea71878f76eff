// Billing's commerce API as the generated schema describes it (src/lib/api/schema.d.ts, from
// openapi.json): the names the portal's code uses for it. Money is integer minor units (cents),
// rates basis points (19 % = 1900).
import type { Schemas } from "../../../lib/api/client";

export type ProductKind = Schemas["ProductKind"];
export type Scope = Schemas["Scope"];
export type Product = Schemas["ProductRead"];
export type ProductList = Schemas["ProductList"];
export type Amounts = Schemas["TotalsRead"];
export type Address = Schemas["AddressBody"];
/** One line as the portal sends it (quote and checkout). */
export type LineInput = Schemas["CartLineBody"];
export type QuoteRequest = Schemas["QuoteBody"];
export type Quote = Schemas["QuoteRead"];
export type QuoteLine = Schemas["QuoteLineRead"];
export type TaxSummary = Schemas["TaxRead"];
export type CheckoutRequest = Schemas["CheckoutBody"];
export type CheckoutResult = Schemas["CheckoutRead"];
export type Order = Schemas["OrderRead"];
export type OrderLine = Schemas["OrderLineRead"];
export type OrderStatus = Schemas["OrderStatus"];
export type InvoiceKind = Schemas["InvoiceRefRead"]["kind"];
