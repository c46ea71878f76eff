import { describe, expect, it } from "vitest";
import { defaultRange, isoDay, rangeProblem, usedPercent } from "./range";

describe("usage range", () => {
  it("starts with the last 30 days, today included", () => {
    expect(defaultRange(new Date(2026, 2, 10, 15, 30))).toEqual({ from: "2026-02-09", to: "2026-03-10" });
    expect(defaultRange(new Date(2026, 0, 5))).toEqual({ from: "2025-12-07", to: "2026-01-05" });
  });

  it("writes a day as YYYY-MM-DD", () => {
    expect(isoDay(new Date(2026, 8, 3, 23, 59))).toBe("2026-09-03");
  });

  it.each([
    ["2026-03-01", "2026-03-31", null],
    ["2026-03-01", "2026-03-01", null],
    ["", "2026-03-01", "missing"],
    ["2026-03-31", "2026-03-01", "reversed"],
    ["2026-02-30", "2026-03-01", "invalid"],
    ["01.03.2026", "2026-03-31", "invalid"],
  ])("takes %s to %s as %s", (from, to, expected) => {
    expect(rangeProblem(from, to)).toBe(expected);
  });

  it("gives the share of a pass used, within 0 and 100", () => {
    expect(usedPercent(1800, 3600)).toBe(50);
    expect(usedPercent(0, 3600)).toBe(0);
    expect(usedPercent(7200, 3600)).toBe(100);
    expect(usedPercent(10, 0)).toBe(0);
  });
});
