// Billing's commerce API, written by hand from its agreed description while the routes are built
// in parallel; when they land in openapi.json these become aliases of the generated schemas
// (`Schemas["..."]`). Money is integer minor units (cents), rates basis points (19 % = 1900).

export type ProductKind = "PASS" | "VIN_PASS" | "TOOL";
export type Scope = "AIR" | "PROGRAMMING";

export interface Amounts {
  net_minor: number;
  vat_minor: number;
  gross_minor: number;
  currency: string;
}

/** An indicative price, with the seller country's VAT. */
export interface Price extends Amounts {
  vat_rate_bp: number;
}

export interface Product {
  code: string;
  kind: ProductKind;
  /** null for tools. */
  scope: Scope | null;
  name: string;
  description: string;
  /** null for tools. */
  duration_seconds: number | null;
  net_minor: number;
  currency: string;
  price: Price;
  /** Tools: units that can still be ordered; null for passes. */
  stock_available: number | null;
  weight_grams: number | null;
}

export interface ProductList {
  items: Product[];
}

export interface Address {
  name: string;
  street: string;
  postcode: string;
  city: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

/** One line as the portal sends it (quote and checkout). */
export interface LineInput {
  product_code: string;
  quantity: number;
  /** Required for a VIN pass, refused otherwise. */
  vin?: string;
}

export interface QuoteRequest {
  lines: LineInput[];
  shipping_address?: Address;
}

export interface Window {
  valid_from: string;
  valid_until: string;
}

export interface QuoteLine {
  product_code: string;
  name: string;
  kind: ProductKind;
  quantity: number;
  vin: string | null;
  unit_net_minor: number;
  net_minor: number;
  vat_rate_bp: number;
  vat_minor: number;
  gross_minor: number;
  /** What a pass gives if bought now (chained after existing time); null for tools. */
  window: Window | null;
}

export type VatIdStatus = "valid" | "invalid" | "unchecked" | "none";

export interface TaxSummary {
  treatment: string;
  /** The note the invoice carries (e.g. reverse charge), or null. */
  note: string | null;
  customer_country: string;
  vat_id: string | null;
  vat_id_status: VatIdStatus;
}

export interface VatRateLine {
  rate_bp: number;
  net_minor: number;
  vat_minor: number;
}

export interface Shipping {
  net_minor: number;
  vat_minor: number;
  gross_minor: number;
  rule: string;
}

export interface Quote {
  lines: QuoteLine[];
  shipping: Shipping | null;
  totals: Amounts;
  vat_breakdown: VatRateLine[];
  tax: TaxSummary;
  requires_shipping: boolean;
  shipping_address: Address | null;
  terms: { version: string; url: string };
}

export interface CheckoutRequest extends QuoteRequest {
  accept_terms: boolean;
  terms_version: string;
}

export type OrderStatus = "pending_payment" | "paid" | "failed" | "expired";
export type FulfilmentStatus = "none" | "awaiting_pick" | "picked" | "shipped" | "delivered";

export interface OrderLine {
  id: string;
  product_code: string;
  name: string;
  kind: ProductKind;
  scope: Scope | null;
  quantity: number;
  vin: string | null;
  unit_net_minor: number;
  net_minor: number;
  vat_rate_bp: number;
  vat_minor: number;
  gross_minor: number;
  entitlement_id: string | null;
  refundable: boolean;
}

export type InvoiceKind = "invoice" | "credit_note";

export interface Order {
  id: string;
  status: OrderStatus;
  created_at: string;
  paid_at: string | null;
  lines: OrderLine[];
  totals: Amounts;
  tax: TaxSummary;
  shipping_address: Address | null;
  fulfilment: {
    status: FulfilmentStatus;
    carrier: string | null;
    tracking_number: string | null;
    shipped_at: string | null;
    delivered_at: string | null;
  };
  reservation_expires_at: string | null;
  invoices: { id: string; number: string; kind: InvoiceKind }[];
}

export interface CheckoutResult {
  order: Order;
  payment: { payment_id: string; status: "pending" } | null;
}
