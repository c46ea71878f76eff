import { describe, expect, it } from "vitest";
import { formatRemaining, remaining } from "./countdown";

const NOW = Date.parse("2026-01-01T00:00:00Z");

describe("remaining", () => {
  it("splits the time left into days, hours, minutes and seconds", () => {
    const until = NOW + ((2 * 24 + 3) * 3600 + 4 * 60 + 5) * 1000;
    expect(remaining(until, NOW)).toEqual({ expired: false, days: 2, hours: 3, minutes: 4, seconds: 5 });
  });

  it("counts a partial second as not yet a whole one", () => {
    expect(remaining(NOW + 1999, NOW).seconds).toBe(1);
  });

  it("is expired at the end instant and after it", () => {
    expect(remaining(NOW, NOW).expired).toBe(true);
    expect(remaining(NOW - 5000, NOW).expired).toBe(true);
  });

  it("treats an unparseable end as expired", () => {
    expect(remaining(Number.NaN, NOW).expired).toBe(true);
  });
});

describe("formatRemaining", () => {
  const left = (days: number, hours: number, minutes: number, seconds: number) => ({ expired: false, days, hours, minutes, seconds });

  it("shows days with zero-padded smaller units", () => {
    expect(formatRemaining(left(2, 3, 4, 5))).toBe("2d 03h 04m 05s");
  });

  it("leaves out days when none are left", () => {
    expect(formatRemaining(left(0, 3, 0, 9))).toBe("3h 00m 09s");
  });

  it("shows minutes and seconds under an hour", () => {
    expect(formatRemaining(left(0, 0, 4, 5))).toBe("4m 05s");
  });

  it("shows only seconds under a minute", () => {
    expect(formatRemaining(left(0, 0, 0, 7))).toBe("7s");
  });
});
