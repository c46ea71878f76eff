// The AIR shapes of issue 11, typed by hand from the agreed API while the backend is built in
// parallel; named after the server's schemas. Once openapi.json has them, these become
// `Schemas["..."]` names of the generated types.
import type { Schemas } from "../../../lib/api/client";

export type DocumentType = Schemas["DocumentType"];
/** The languages AIR content comes in. */
export type ContentLanguage = "en" | "de";
export type Coverage = "covered" | "not_covered" | "unknown_vehicle";
export type FuelType = "petrol" | "diesel" | "plug_in_hybrid" | "electric";

export interface Engine {
  code: string | null;
  fuel_type: FuelType | null;
  displacement_ccm: number | null;
  power_kw: number | null;
  cylinders: number | null;
  description: string | null;
}

export interface CodeDescription {
  code: string;
  description: string | null;
}

/** GET /api/air/vehicles/{vin}: the vehicle decoded from its VIN, and whether AIR covers it. */
export interface Vehicle {
  vin: string;
  coverage: Coverage;
  /** A sentence saying what the coverage means and what to do. */
  coverage_note: string;
  manufacturer: string | null;
  make: string | null;
  country: string | null;
  region: string | null;
  wmi: string | null;
  vds: string | null;
  vis: string | null;
  type_code: string | null;
  check_digit: string | null;
  check_digit_expected: string | null;
  check_digit_valid: boolean | null;
  model_year_code: string | null;
  model_year: number | null;
  plant_code: string | null;
  plant: string | null;
  serial_number: string | null;
  series: string | null;
  model: string | null;
  body: string | null;
  engine: Engine | null;
  transmission: { code: string | null; description: string | null } | null;
  drive: "RWD" | "AWD" | "FWD" | null;
  options: CodeDescription[];
  notes: string[];
}

export interface ComponentFacet {
  id: string;
  label: string;
  count: number;
}

export interface SystemFacet extends ComponentFacet {
  components: ComponentFacet[];
}

export interface TypeFacet {
  type: DocumentType;
  count: number;
}

export interface Applicability {
  series: string[];
  all_series: boolean;
  model_year_from: number | null;
  model_year_to: number | null;
  engine_codes: string[];
  fuel_types: FuelType[];
  transmissions: string[];
  option_codes: string[];
}

/** One document a search found. */
export interface DocumentHit {
  id: string;
  type: DocumentType;
  title: string;
  summary: string;
  snippet: string | null;
  language: ContentLanguage;
  system: string;
  component: string;
  applicability: Applicability;
}

/** GET /api/air/documents/search (needs a pass). */
export interface DocumentList {
  vehicle: Vehicle | null;
  total: number;
  limit: number;
  offset: number;
  language: ContentLanguage;
  items: DocumentHit[];
  facets: { systems: SystemFacet[]; types: TypeFacet[] };
  /** "Did you mean" searches; may be empty. */
  suggestions: string[];
  /** Sentences about the search itself (an almost-VIN, a vehicle not covered). */
  hints: string[];
  /** The VIN the server took out of `q`, if any. */
  vin_from_query: string | null;
}

/** GET /api/air/documents/{id}: one language version of a document. */
export interface DocumentRead {
  id: string;
  type: DocumentType;
  title: string;
  summary: string;
  body: string;
  svg: string | null;
  language: ContentLanguage;
  available_languages: ContentLanguage[];
  system: string;
  component: string;
  applicability: Applicability;
}

export interface CatalogItem {
  id: string;
  type: DocumentType;
  title: string;
  system: string;
  component: string;
  language: ContentLanguage;
}

/** GET /api/air/vehicles/{vin}/catalog (no pass): titles, types and systems of what applies. */
export interface Catalog {
  vehicle: Vehicle;
  /** Titles that apply in all pages; `items` holds one page of them (the first by default). */
  total: number;
  limit: number;
  offset: number;
  language: ContentLanguage;
  systems: SystemFacet[];
  types: TypeFacet[];
  items: CatalogItem[];
}
