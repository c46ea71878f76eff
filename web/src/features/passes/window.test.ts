import { describe, expect, it } from "vitest";
import { passWouldRunUntil } from "./window";

const NOW = Date.parse("2026-12-10T07:22:00Z");

describe("passWouldRunUntil", () => {
  it("starts now when the scope has no running pass", () => {
    expect(passWouldRunUntil({ chainEnd: null, durationSeconds: 86_400, now: NOW }).toISOString()).toBe("2026-12-11T07:22:00.000Z");
  });

  it("starts where the running chain ends", () => {
    const until = passWouldRunUntil({ chainEnd: "2026-12-11T07:22:00Z", durationSeconds: 3_600, now: NOW });
    expect(until.toISOString()).toBe("2026-12-11T08:22:00.000Z");
  });

  it("starts now when the chain already ended", () => {
    const until = passWouldRunUntil({ chainEnd: "2026-12-01T00:00:00Z", durationSeconds: 3_600, now: NOW });
    expect(until.toISOString()).toBe("2026-12-10T08:22:00.000Z");
  });
});
