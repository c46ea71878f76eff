import { describe, expect, it } from "vitest";
import { normalizeVin, vinProblem } from "./vin";

describe("normalizeVin", () => {
  it("upper-cases and removes spaces", () => {
    expect(normalizeVin(" wvw zzz1jz 3w38 6752 ")).toBe("WVWZZZ1JZ3W386752");
  });
});

describe("vinProblem", () => {
  it("accepts 17 digits and letters without I, O, Q", () => {
    expect(vinProblem("WVWZZZ1JZ3W386752")).toBeNull();
  });

  it("refuses the letters I, O and Q", () => {
    expect(vinProblem("WVWZZZ1JZ3W38675O")).toBe("forbidden-letters");
    expect(vinProblem("IVWZZZ1JZ3W386752")).toBe("forbidden-letters");
    expect(vinProblem("QVWZZZ1JZ3W386752")).toBe("forbidden-letters");
  });

  it("refuses a VIN that is too short or too long", () => {
    expect(vinProblem("WVWZZZ1JZ3W38675")).toBe("length");
    expect(vinProblem("WVWZZZ1JZ3W3867521")).toBe("length");
  });

  it("refuses characters other than digits and letters", () => {
    expect(vinProblem("WVWZZZ1JZ3W38675-")).toBe("invalid-characters");
  });
});
