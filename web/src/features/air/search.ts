import { normalizeVin, vinProblem } from "../../lib/vin";
import type { ContentLanguage, DocumentType } from "./api/types";

/** The document types, in the order the filter offers them. */
export const DOCUMENT_TYPES: DocumentType[] = ["repair_instruction", "wiring_diagram", "technical_bulletin"];

export function isDocumentType(value: string): value is DocumentType {
  return (DOCUMENT_TYPES as string[]).includes(value);
}

/** What the one AIR search box asks for: a vehicle (a valid VIN) or keywords. */
export type AirSearch = { vin: string; q?: undefined } | { q: string; vin?: undefined } | null;

/** A valid VIN (spaces and case ignored) searches by vehicle; anything else is keywords, which
 * may carry a VIN of their own ("WBA… brake": the server takes it out of the words). */
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

/** The first valid VIN among the words of `q` ("WBA5F3103MFX12345 brake"), or null. */
export function vinIn(q: string | null): string | null {
  if (q === null) return null;
  for (const word of q.split(/\s+/)) {
    const vin = normalizeVin(word);
    if (vin !== "" && vinProblem(vin) === null) return vin;
  }
  return null;
}

/** The document page of a hit: read for the vehicle searched (a per-VIN pass reads only that
 * car's documents) and in the language the hit is in. */
export function documentLink(doc: { id: string; language: ContentLanguage }, vin: string | null): string {
  const query = new URLSearchParams();
  if (vin !== null) query.set("vin", vin);
  query.set("lang", doc.language);
  return `/air/documents/${encodeURIComponent(doc.id)}?${query.toString()}`;
}
