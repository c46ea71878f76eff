import { describe, expect, it } from "vitest";
import { formatDay, formatKm, today } from "./format";

describe("vehicle formatting", () => {
  it("writes a mileage with the reader's digit grouping", () => {
    expect(formatKm(45000, "en")).toBe("45,000 km");
    expect(formatKm(45000, "de")).toBe("45.000 km");
  });

  it("writes a calendar day in the reader's language without moving it by a time zone", () => {
    expect(formatDay("2026-05-04", "de")).toBe("04.05.2026");
    expect(formatDay("2026-05-04", "en")).toBe("May 4, 2026");
  });

  it("keeps a value that is no day as it came", () => {
    expect(formatDay("soon", "en")).toBe("soon");
  });

  it("gives today as an ISO day", () => {
    expect(today(new Date(2026, 11, 3, 23, 30))).toBe("2026-12-03");
  });
});
