import { describe, expect, it } from "vitest";
import { formatRate } from "./format";

describe("formatRate", () => {
  it("writes basis points as the reader's percentage", () => {
    expect(formatRate(1900, "en")).toBe("19");
    expect(formatRate(2550, "en")).toBe("25.5");
    expect(formatRate(2550, "de")).toBe("25,5");
    expect(formatRate(0, "de")).toBe("0");
  });
});
