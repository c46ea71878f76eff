import { describe, expect, it } from "vitest";
import { parseSearch, snippetParts } from "./search";

describe("parseSearch", () => {
  it("searches by vehicle when the input is a valid VIN, whatever its case and spaces", () => {
    expect(parseSearch(" wvwzzz1jz3 w386752 ")).toEqual({ vin: "WVWZZZ1JZ3W386752" });
  });

  it("searches by keywords otherwise", () => {
    expect(parseSearch("  brake pads ")).toEqual({ q: "brake pads" });
  });

  it("treats 17 characters with an O as keywords, not a VIN", () => {
    expect(parseSearch("WVWZZZ1JZ3W38675O")).toEqual({ q: "WVWZZZ1JZ3W38675O" });
  });

  it("has nothing to search for an empty box", () => {
    expect(parseSearch("   ")).toBeNull();
  });
});

describe("snippetParts", () => {
  it("splits the server's «» marks into matched and plain parts", () => {
    expect(snippetParts("replace the «brake» «pads» now")).toEqual([
      { text: "replace the ", match: false },
      { text: "brake", match: true },
      { text: " ", match: false },
      { text: "pads", match: true },
      { text: " now", match: false },
    ]);
  });

  it("keeps a snippet without marks as one plain part", () => {
    expect(snippetParts("no marks")).toEqual([{ text: "no marks", match: false }]);
  });
});
