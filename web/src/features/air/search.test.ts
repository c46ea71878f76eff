import { describe, expect, it } from "vitest";
import { documentLink, parseSearch, snippetParts, vinIn } from "./search";

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

describe("vinIn", () => {
  it("finds a VIN among the words, whatever its case", () => {
    expect(vinIn("brake wba5f3103mfx12345 pads")).toBe("WBA5F3103MFX12345");
  });

  it("finds none in words alone or in an almost-VIN of 16 characters", () => {
    expect(vinIn("brake pads")).toBeNull();
    expect(vinIn("WBA5F3103MFX1234 brake")).toBeNull();
    expect(vinIn(null)).toBeNull();
  });
});

describe("documentLink", () => {
  it("opens a document for the car and in the language it was found in", () => {
    expect(documentLink({ id: "ri 1", language: "de" }, "WBA5F3103MFX12345")).toBe("/air/documents/ri%201?vin=WBA5F3103MFX12345&lang=de");
    expect(documentLink({ id: "ri-1", language: "en" }, null)).toBe("/air/documents/ri-1?lang=en");
  });
});
