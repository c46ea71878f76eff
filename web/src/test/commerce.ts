// Billing's commerce answers for the portal's tests: a small catalog, a quote computed from the
// request as billing would (19 % German VAT unless told otherwise), and orders.
import type { Schemas } from "../lib/api/client";
import { me } from "./render";

export const ORG_ID = me("owner").organization.id;
export const CART_KEY = `aos.cart.${ORG_ID}`;
export const VIN = "WBA3A5C50CF256985";

interface ProductSeed {
  code: string;
  kind: "PASS" | "VIN_PASS" | "TOOL";
  scope: "AIR" | "PROGRAMMING" | null;
  name: string;
  net: number;
  stock?: number | null;
  duration?: number | null;
}

export function product({ code, kind, scope, name, net, stock = null, duration = null }: ProductSeed) {
  const vat = Math.round((net * 19) / 100);
  return {
    code,
    kind,
    scope,
    name,
    description: kind === "TOOL" ? `${name} for the workshop` : "",
    duration_seconds: kind === "TOOL" ? null : duration,
    net_minor: net,
    currency: "EUR",
    price: { net_minor: net, vat_minor: vat, gross_minor: net + vat, vat_rate_bp: 1900, currency: "EUR" },
    stock_available: kind === "TOOL" ? stock : null,
    weight_grams: kind === "TOOL" ? 800 : null,
  };
}

export const CHARGER = product({ code: "TOOL_PROGRAMMING_CHARGER", kind: "TOOL", scope: null, name: "Programming charger", net: 20_000, stock: 3 });
export const CABLE = product({ code: "TOOL_ENET_CABLE", kind: "TOOL", scope: null, name: "ENET cable", net: 2_500, stock: 0 });
export const ICOM = product({ code: "TOOL_ICOM_VCI", kind: "TOOL", scope: null, name: "ICOM VCI", net: 90_000, stock: 40 });
export const AIR_WEEK = product({ code: "AIR_1W", kind: "PASS", scope: "AIR", name: "AIR 1 week", net: 10_000, duration: 604_800 });
export const AIR_VIN = product({ code: "AIR_VIN_24H", kind: "VIN_PASS", scope: "AIR", name: "AIR 24 h for one VIN", net: 1_000, duration: 86_400 });
export const PROGRAMMING_VIN = product({ code: "PROGRAMMING_VIN_24H", kind: "VIN_PASS", scope: "PROGRAMMING", name: "Programming 24 h for one VIN", net: 2_000, duration: 86_400 });
export const CATALOG = [CHARGER, CABLE, ICOM, AIR_WEEK, AIR_VIN, PROGRAMMING_VIN];

export const COMPANY_ADDRESS = { name: "Werkstatt Muster GmbH", street: "Hauptstr. 1", postcode: "10115", city: "Berlin", country: "DE" };
export const WINDOW = { valid_from: "2026-03-10T12:00:00Z", valid_until: "2026-03-17T12:00:00Z" };

type Tax = { treatment: string; note: string | null; customer_country: string; vat_id: string | null; vat_id_status: string; rate_bp: number };
export const GERMAN_TAX: Tax = { treatment: "domestic", note: null, customer_country: "DE", vat_id: "DE123456789", vat_id_status: "valid", rate_bp: 1900 };
export const REVERSE_CHARGE: Tax = {
  treatment: "reverse_charge",
  note: "Reverse charge: VAT is owed by the recipient (Art. 196 Directive 2006/112/EC).",
  customer_country: "AT",
  vat_id: "ATU12345678",
  vat_id_status: "valid",
  rate_bp: 0,
};

interface LineInput {
  product_code: string;
  quantity: number;
  vin?: string;
}

/** What billing quotes for `body` (the quote request), with `tax`. */
export function quoteFor(body: { lines: LineInput[]; shipping_address?: typeof COMPANY_ADDRESS }, tax: Tax = GERMAN_TAX) {
  const lines = body.lines.map((line) => {
    const item = CATALOG.find((candidate) => candidate.code === line.product_code)!;
    const net = item.net_minor * line.quantity;
    const vat = Math.round((net * tax.rate_bp) / 10_000);
    return {
      product_code: item.code,
      name: item.name,
      kind: item.kind,
      quantity: line.quantity,
      vin: line.vin ?? null,
      unit_net_minor: item.net_minor,
      net_minor: net,
      vat_rate_bp: tax.rate_bp,
      vat_minor: vat,
      gross_minor: net + vat,
      window: item.kind === "TOOL" ? null : WINDOW,
    };
  });
  const requiresShipping = lines.some((line) => line.kind === "TOOL");
  const shipping = requiresShipping ? { net_minor: 990, vat_minor: Math.round((990 * tax.rate_bp) / 10_000), gross_minor: 0, rule: "flat" } : null;
  if (shipping) shipping.gross_minor = shipping.net_minor + shipping.vat_minor;
  const net = lines.reduce((sum, line) => sum + line.net_minor, 0) + (shipping?.net_minor ?? 0);
  const vat = lines.reduce((sum, line) => sum + line.vat_minor, 0) + (shipping?.vat_minor ?? 0);
  return {
    lines,
    shipping,
    totals: { net_minor: net, vat_minor: vat, gross_minor: net + vat, currency: "EUR" },
    vat_breakdown: [{ rate_bp: tax.rate_bp, net_minor: net, vat_minor: vat }],
    tax: { treatment: tax.treatment, note: tax.note, customer_country: tax.customer_country, vat_id: tax.vat_id, vat_id_status: tax.vat_id_status },
    requires_shipping: requiresShipping,
    shipping_address: requiresShipping ? (body.shipping_address ?? COMPANY_ADDRESS) : null,
    terms: { version: "2026-01", url: "/terms/2026-01" },
  };
}

export const ORDER_ID = "00000000-0000-4000-8000-0000000000d1";

/** An order as GET /orders/{id} answers it. */
/** An order as billing answers it (typed by the generated schema, so a change there shows here). */
export function order(status: Schemas["OrderStatus"], overrides: Partial<Schemas["OrderRead"]> = {}): Schemas["OrderRead"] {
  return {
    id: ORDER_ID,
    status,
    created_at: "2026-03-10T12:00:00Z",
    paid_at: status === "paid" ? "2026-03-10T12:00:05Z" : null,
    lines: [
      {
        id: "00000000-0000-4000-8000-0000000000e1",
        product_code: "AIR_1W",
        name: "AIR 1 week",
        kind: "PASS",
        scope: "AIR",
        quantity: 1,
        vin: null,
        unit_net_minor: 10_000,
        net_minor: 10_000,
        vat_rate_bp: 1900,
        vat_minor: 1_900,
        gross_minor: 11_900,
        entitlement_id: status === "paid" ? "00000000-0000-4000-8000-0000000000f1" : null,
        refundable: status === "paid",
      },
    ],
    totals: { net_minor: 10_000, vat_minor: 1_900, gross_minor: 11_900, currency: "EUR" },
    tax: { treatment: "domestic", note: null, customer_country: "DE", vat_id: "DE123456789", vat_id_status: "valid" },
    shipping_address: null,
    shipping: null,
    payment_id: status === "pending_payment" ? null : "pay_1",
    terms_version: "2026-01",
    fulfilment: { status: "none", carrier: null, tracking_number: null, shipped_at: null, delivered_at: null },
    reservation_expires_at: null,
    invoices: status === "paid" ? [{ id: "00000000-0000-4000-8000-0000000000a1", number: "AOS-2026-000123", kind: "invoice" }] : [],
    ...overrides,
  };
}

export function storeCart(lines: { product_code: string; quantity: number; vin: string | null }[]) {
  window.localStorage.setItem(CART_KEY, JSON.stringify({ version: 1, lines }));
}

export function storedCart(): unknown {
  const raw = window.localStorage.getItem(CART_KEY);
  return raw === null ? null : (JSON.parse(raw) as { lines: unknown }).lines;
}
