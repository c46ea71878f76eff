import { describe, expect, it } from "vitest";
import { expiringScopes, WARN_BEFORE_MS } from "./expiry";

const NOW = Date.parse("2026-03-10T12:00:00Z");
const at = (hours: number) => new Date(NOW + hours * 3_600_000).toISOString();

function scope(name: "AIR" | "PROGRAMMING", windows: [number, number][]) {
  const end = windows.at(-1)?.[1];
  return {
    scope: name,
    active: windows.some(([from, until]) => from <= 0 && until > 0),
    valid_until: end === undefined ? null : at(end),
    seconds_left: 0,
    windows: windows.map(([from, until]) => ({ valid_from: at(from), valid_until: at(until), active: from <= 0 && until > 0 })),
  };
}

describe("expiringScopes (the banner's condition)", () => {
  it("warns when the running time ends within 24 hours", () => {
    const summary = { scopes: [scope("AIR", [[-2, 5]]), scope("PROGRAMMING", [])] };
    expect(expiringScopes(summary, NOW)).toEqual([{ scope: "AIR", validUntil: at(5) }]);
  });

  it("warns exactly at 24 hours, not a minute before", () => {
    expect(expiringScopes({ scopes: [scope("AIR", [[-1, 24]])] }, NOW)).toHaveLength(1);
    expect(expiringScopes({ scopes: [scope("AIR", [[-1, 24 + 1 / 60]])] }, NOW)).toEqual([]);
  });

  it("does not warn when more time is queued behind the running pass", () => {
    // Billing reports the end of the chain; a window that starts where the running one ends is queued.
    const chained = { ...scope("AIR", [[-2, 5]]), windows: scope("AIR", [[-2, 5], [5, 29]]).windows, valid_until: at(5) };
    expect(expiringScopes({ scopes: [chained] }, NOW)).toEqual([]);
  });

  it("does not warn when the chain of passes lasts longer than a day", () => {
    expect(expiringScopes({ scopes: [scope("AIR", [[-2, 5], [5, 48]])] }, NOW)).toEqual([]);
  });

  it("does not warn without a pass, or once the time is over", () => {
    expect(expiringScopes({ scopes: [scope("AIR", []), scope("PROGRAMMING", [])] }, NOW)).toEqual([]);
    expect(expiringScopes({ scopes: [{ ...scope("AIR", [[-5, 0]]), active: true }] }, NOW)).toEqual([]);
    expect(expiringScopes(undefined, NOW)).toEqual([]);
  });

  it("names every scope that ends soon", () => {
    const summary = { scopes: [scope("AIR", [[-2, 1]]), scope("PROGRAMMING", [[-1, 23]])] };
    expect(expiringScopes(summary, NOW).map((item) => item.scope)).toEqual(["AIR", "PROGRAMMING"]);
    expect(WARN_BEFORE_MS).toBe(24 * 3_600_000);
  });
});
