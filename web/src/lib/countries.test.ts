import { describe, expect, it } from "vitest";
import { COUNTRY_CODES, countryGroups, countryName, NEARBY_CODES } from "./countries";

describe("countries", () => {
  it("holds the 249 assigned ISO 3166-1 alpha-2 codes, each once", () => {
    expect(COUNTRY_CODES).toHaveLength(249);
    expect(new Set(COUNTRY_CODES).size).toBe(249);
    for (const code of ["DE", "AT", "CH", "GR", "GE", "AU"]) expect(COUNTRY_CODES).toContain(code);
  });

  it("lists the EU, the EEA and Switzerland first, then every other country", () => {
    const { nearby, others } = countryGroups("en");
    expect(nearby.map((c) => c.code).sort()).toEqual([...NEARBY_CODES].sort());
    expect(nearby).toHaveLength(31);
    expect(nearby.length + others.length).toBe(249);
    expect(others.map((c) => c.code)).not.toContain("DE");
  });

  it("names and sorts the countries in the reader's language", () => {
    expect(countryName("DE", "de")).toBe("Deutschland");
    expect(countryName("DE", "en")).toBe("Germany");
    expect(countryName("GE", "en")).toBe("Georgia");
    const german = countryGroups("de").nearby.map((c) => c.name);
    expect(german.indexOf("Österreich")).toBeGreaterThan(german.indexOf("Niederlande"));
    expect(german.indexOf("Österreich")).toBeLessThan(german.indexOf("Polen"));
  });
});
