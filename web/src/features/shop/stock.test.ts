import { describe, expect, it } from "vitest";
import { FEW_LEFT, stockLevel } from "./stock";

describe("stockLevel", () => {
  it.each([
    [0, { level: "sold-out" }],
    [-1, { level: "sold-out" }],
    [1, { level: "few", left: 1 }],
    [FEW_LEFT, { level: "few", left: FEW_LEFT }],
    [FEW_LEFT + 1, { level: "in-stock" }],
  ])("shows a tool with %i left as %j", (left, expected) => {
    expect(stockLevel({ kind: "TOOL", stock_available: left })).toEqual(expected);
  });

  it("shows no stock for passes", () => {
    expect(stockLevel({ kind: "PASS", stock_available: null })).toBeNull();
    expect(stockLevel({ kind: "VIN_PASS", stock_available: null })).toBeNull();
  });
});
