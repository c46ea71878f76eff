import { normalizeVin, vinProblem } from "../../lib/vin";
import type { DocumentType } from "./api/search-documents";

/** The document types, in the order the filter offers them. */
export const DOCUMENT_TYPES: DocumentType[] = ["repair_instruction", "wiring_diagram", "technical_bulletin"];

export function isDocumentType(value: string): value is DocumentType {
  return (DOCUMENT_TYPES as string[]).includes(value);
}

/** What the one AIR search box asks for: a vehicle (a valid VIN) or keywords. */
export type AirSearch = { vin: string; q?: undefined } | { q: string; vin?: undefined } | null;

/** A valid VIN (spaces and case ignored) searches by vehicle; anything else is keywords. */
export function parseSearch(input: string): AirSearch {
  const vin = normalizeVin(input);
  if (vin !== "" && vinProblem(vin) === null) return { vin };
  const q = input.trim();
  return q === "" ? null : { q };
}

export interface SnippetPart {
  text: string;
  match: boolean;
}

/** The server marks matches in a snippet between « and »; split it for highlighting. */
export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  const pattern = /«([^»]*)»/g;
  let last = 0;
  for (let found = pattern.exec(snippet); found !== null; found = pattern.exec(snippet)) {
    if (found.index > last) parts.push({ text: snippet.slice(last, found.index), match: false });
    parts.push({ text: found[1] ?? "", match: true });
    last = found.index + found[0].length;
  }
  if (last < snippet.length) parts.push({ text: snippet.slice(last), match: false });
  return parts;
}
