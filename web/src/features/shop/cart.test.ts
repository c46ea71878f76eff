import { describe, expect, it } from "vitest";
import type { Product } from "./api/types";
import { addLine, type CartLine, indicativeTotals, itemCount, lineKey, needsShipping, parseCart, removeLine, serializeCart, setLineQuantity, toLineInputs } from "./cart";

function product(code: string, kind: Product["kind"], { stock = null, net = 1000, gross = 1190 }: { stock?: number | null; net?: number; gross?: number } = {}): Product {
  return {
    code,
    kind,
    scope: kind === "TOOL" ? null : "AIR",
    name: code,
    description: "",
    duration_seconds: kind === "TOOL" ? null : 3600,
    net_minor: net,
    currency: "EUR",
    price: { net_minor: net, vat_minor: gross - net, gross_minor: gross, vat_rate_bp: 1900, currency: "EUR" },
    stock_available: stock,
    weight_grams: kind === "TOOL" ? 500 : null,
  };
}

const CHARGER = product("TOOL_PROGRAMMING_CHARGER", "TOOL", { stock: 3, net: 19_900, gross: 23_681 });
const CABLE = product("TOOL_ENET_CABLE", "TOOL", { stock: 500, net: 2_500, gross: 2_975 });
const AIR_WEEK = product("AIR_1W", "PASS", { net: 9_900, gross: 11_781 });
const AIR_VIN = product("AIR_VIN_24H", "VIN_PASS", { net: 900, gross: 1_071 });
const VIN_A = "WBA3A5C50CF256985";
const VIN_B = "WBA8E9C51GK647251";

describe("addLine", () => {
  it("adds more units of a tool to its line, never beyond the stock left", () => {
    let cart = addLine([], CHARGER);
    cart = addLine(cart, CHARGER, { quantity: 2 });
    expect(cart).toEqual([{ product_code: CHARGER.code, quantity: 3, vin: null }]);
    expect(addLine(cart, CHARGER)).toEqual([{ product_code: CHARGER.code, quantity: 3, vin: null }]);
  });

  it("keeps a line at 99 units however much is added", () => {
    expect(addLine([], CABLE, { quantity: 250 })).toEqual([{ product_code: CABLE.code, quantity: 99, vin: null }]);
  });

  it("adds nothing of a sold-out tool", () => {
    expect(addLine([], { ...CHARGER, stock_available: 0 })).toEqual([]);
  });

  it("holds a time pass once, whatever is asked for", () => {
    const cart = addLine(addLine([], AIR_WEEK, { quantity: 4 }), AIR_WEEK);
    expect(cart).toEqual([{ product_code: "AIR_1W", quantity: 1, vin: null }]);
  });

  it("holds a per-VIN pass once per VIN and never without a VIN", () => {
    let cart = addLine([], AIR_VIN);
    expect(cart).toEqual([]);
    cart = addLine(cart, AIR_VIN, { vin: VIN_A });
    cart = addLine(cart, AIR_VIN, { vin: VIN_A });
    cart = addLine(cart, AIR_VIN, { vin: VIN_B });
    expect(cart).toEqual([
      { product_code: "AIR_VIN_24H", quantity: 1, vin: VIN_A },
      { product_code: "AIR_VIN_24H", quantity: 1, vin: VIN_B },
    ]);
  });

  it("drops a VIN given with a product that is not per VIN", () => {
    expect(addLine([], CABLE, { vin: VIN_A })).toEqual([{ product_code: CABLE.code, quantity: 1, vin: null }]);
  });
});

describe("setLineQuantity and removeLine", () => {
  const cart: CartLine[] = [
    { product_code: CHARGER.code, quantity: 1, vin: null },
    { product_code: "AIR_VIN_24H", quantity: 1, vin: VIN_A },
  ];

  it("sets a tool's quantity within 1 and the stock left", () => {
    const key = lineKey(cart[0]!);
    expect(setLineQuantity(cart, key, 2, CHARGER)[0]!.quantity).toBe(2);
    expect(setLineQuantity(cart, key, 7, CHARGER)[0]!.quantity).toBe(3);
    expect(setLineQuantity(cart, key, 0, CHARGER)[0]!.quantity).toBe(1);
    expect(setLineQuantity(cart, key, -5, CHARGER)[0]!.quantity).toBe(1);
    expect(setLineQuantity(cart, key, Number.NaN, CHARGER)).toEqual(cart);
  });

  it("keeps a pass at one", () => {
    const key = lineKey(cart[1]!);
    expect(setLineQuantity(cart, key, 5, AIR_VIN)[1]!.quantity).toBe(1);
  });

  it("removes only the line for that VIN", () => {
    const two = addLine(cart, AIR_VIN, { vin: VIN_B });
    expect(removeLine(two, lineKey({ product_code: "AIR_VIN_24H", vin: VIN_A })).map((line) => line.vin)).toEqual([null, VIN_B]);
  });
});

describe("totals", () => {
  const cart: CartLine[] = [
    { product_code: CHARGER.code, quantity: 2, vin: null },
    { product_code: "AIR_1W", quantity: 1, vin: null },
    { product_code: "GONE", quantity: 5, vin: null },
  ];

  it("counts the units in the cart", () => {
    expect(itemCount(cart)).toBe(8);
    expect(itemCount([])).toBe(0);
  });

  it("sums the catalog's prices times the quantities in cents, leaving out products no longer sold", () => {
    expect(indicativeTotals(cart, [CHARGER, AIR_WEEK])).toEqual({ net_minor: 2 * 19_900 + 9_900, gross_minor: 2 * 23_681 + 11_781, currency: "EUR" });
    expect(indicativeTotals([], [CHARGER])).toBeNull();
  });

  it("needs shipping only with a tool in the cart", () => {
    expect(needsShipping(cart, [CHARGER, AIR_WEEK])).toBe(true);
    expect(needsShipping(cart.slice(1), [CHARGER, AIR_WEEK])).toBe(false);
  });

  it("sends a VIN only for the lines that have one", () => {
    expect(toLineInputs([cart[0]!, { product_code: "AIR_VIN_24H", quantity: 1, vin: VIN_A }])).toEqual([
      { product_code: CHARGER.code, quantity: 2 },
      { product_code: "AIR_VIN_24H", quantity: 1, vin: VIN_A },
    ]);
  });
});

describe("parseCart", () => {
  it("reads back what was stored", () => {
    const cart: CartLine[] = [
      { product_code: CHARGER.code, quantity: 2, vin: null },
      { product_code: "AIR_VIN_24H", quantity: 1, vin: VIN_A },
    ];
    expect(parseCart(serializeCart(cart))).toEqual(cart);
  });

  it.each([null, "", "not json", "[]", '{"lines": 3}', "null"])("takes %j as an empty cart", (raw) => {
    expect(parseCart(raw)).toEqual([]);
  });

  it("drops malformed lines and duplicates but keeps the good ones", () => {
    const raw = JSON.stringify({
      lines: [
        { product_code: "A", quantity: 1, vin: null },
        { product_code: "A", quantity: 2, vin: null },
        { product_code: "", quantity: 1, vin: null },
        { product_code: "B", quantity: 0, vin: null },
        { product_code: "C", quantity: 100, vin: null },
        { product_code: "D", quantity: 1.5, vin: null },
        { product_code: "E", quantity: "1", vin: null },
        { product_code: "F", quantity: 1, vin: 7 },
        "G",
        { product_code: "H", quantity: 3 },
      ],
    });
    expect(parseCart(raw)).toEqual([
      { product_code: "A", quantity: 1, vin: null },
      { product_code: "H", quantity: 3, vin: null },
    ]);
  });
});
