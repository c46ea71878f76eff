// AIR's answers of issue 11 for the portal's tests, in the shapes of the agreed API (the types
// the features write by hand until openapi.json has them).
import type { Catalog, DocumentList, Vehicle } from "../features/air/api/types";
import type { Schedule, ScheduleItem, ServiceEntry } from "../features/vehicle/api/types";

export const BMW_VIN = "WBA5F3103MFX12345";
export const VW_VIN = "WVWZZZ1JZ3W386752";

export function vehicle(overrides: Partial<Vehicle> = {}): Vehicle {
  return {
    vin: BMW_VIN,
    coverage: "covered",
    coverage_note: "AIR has documents for this vehicle.",
    manufacturer: "BMW AG",
    make: "BMW",
    country: "Germany",
    region: "Europe",
    wmi: "WBA",
    vds: "5F3103",
    vis: "MFX12345",
    type_code: "5F31",
    check_digit: "3",
    check_digit_expected: "3",
    check_digit_valid: true,
    model_year_code: "M",
    model_year: 2021,
    plant_code: "F",
    plant: "Munich",
    serial_number: "X12345",
    series: "G20",
    model: "330i",
    body: "Sedan",
    engine: { code: "B48", fuel_type: "petrol", displacement_ccm: 1998, power_kw: 190, cylinders: 4, description: "2.0 l four-cylinder petrol" },
    transmission: { code: "GA8HP", description: "8-speed automatic" },
    drive: "RWD",
    options: [{ code: "S2VB", description: "Tyre pressure monitor" }],
    notes: [],
    ...overrides,
  };
}

export const NOT_COVERED: Vehicle = {
  ...vehicle({ vin: VW_VIN }),
  coverage: "not_covered",
  coverage_note: "Volkswagen vehicles are not covered by this portal: it has no documents and no service book for them.",
  manufacturer: "Volkswagen",
  make: "VW",
  wmi: "WVW",
  type_code: null,
  series: null,
  model: null,
  body: null,
  engine: null,
  transmission: null,
  drive: null,
  plant: null,
  options: [],
};

export const SYSTEMS = [
  {
    id: "brakes",
    label: "Brakes",
    count: 2,
    components: [
      { id: "pads_discs", label: "Pads and discs", count: 1 },
      { id: "parking_brake", label: "Parking brake", count: 1 },
    ],
  },
  { id: "engine", label: "Engine", count: 1, components: [{ id: "lubrication", label: "Lubrication", count: 1 }] },
];

export const HITS: DocumentList["items"] = [
  {
    id: "ri-g20-front-brake-pads-discs",
    type: "repair_instruction",
    title: "Front brake pads and discs: replace",
    summary: "Pads, discs and wear sensor at the front.",
    snippet: "replace the «brake pads» and discs",
    language: "en",
    system: "brakes",
    component: "pads_discs",
    applicability: { series: ["G20"], all_series: false, model_year_from: null, model_year_to: null, engine_codes: [], fuel_types: [], transmissions: [], option_codes: [] },
  },
  {
    id: "ri-g20-rear-brake-pads-epb",
    type: "repair_instruction",
    title: "Bremsbeläge hinten mit elektrischer Parkbremse",
    summary: "Beläge hinten wechseln.",
    snippet: null,
    language: "de",
    system: "brakes",
    component: "parking_brake",
    applicability: { series: ["G20"], all_series: false, model_year_from: null, model_year_to: null, engine_codes: [], fuel_types: [], transmissions: [], option_codes: [] },
  },
  {
    id: "ri-b48-engine-oil",
    type: "repair_instruction",
    title: "Engine oil and filter: change (B48)",
    summary: "Oil specification and capacity of the B48.",
    snippet: null,
    language: "en",
    system: "engine",
    component: "lubrication",
    applicability: { series: ["G20"], all_series: false, model_year_from: null, model_year_to: null, engine_codes: ["B48"], fuel_types: [], transmissions: [], option_codes: [] },
  },
];

export function documentList(overrides: Partial<DocumentList> = {}): DocumentList {
  return {
    vehicle: null,
    total: HITS.length,
    limit: 20,
    offset: 0,
    language: "en",
    items: HITS,
    facets: {
      systems: SYSTEMS,
      types: [
        { type: "repair_instruction", count: 3 },
        { type: "wiring_diagram", count: 0 },
      ],
    },
    suggestions: [],
    hints: [],
    vin_from_query: null,
    ...overrides,
  };
}

export function catalog(overrides: Partial<Catalog> = {}): Catalog {
  return {
    vehicle: vehicle(),
    total: HITS.length,
    limit: 500,
    offset: 0,
    language: "en",
    systems: SYSTEMS,
    types: [{ type: "repair_instruction", count: 3 }],
    items: HITS.map(({ id, type, title, system, component, language }) => ({ id, type, title, system, component, language })),
    ...overrides,
  };
}

export function scheduleItem(overrides: Partial<ScheduleItem> & Pick<ScheduleItem, "rule_id" | "title" | "status">): ScheduleItem {
  return {
    due_date: null,
    due_mileage_km: null,
    interval_km: null,
    interval_months: null,
    last_done: null,
    basis: "last_entry",
    document_id: null,
    ...overrides,
  };
}

export function schedule(items: ScheduleItem[], overrides: Partial<Schedule> = {}): Schedule {
  return { vin: BMW_VIN, as_of: "2026-12-03", mileage_km: null, items, notes: [], ...overrides };
}

export function serviceEntry(overrides: Partial<ServiceEntry> = {}): ServiceEntry {
  return {
    id: "00000000-0000-4000-8000-0000000000e1",
    vin: BMW_VIN,
    performed_on: "2026-11-20",
    mileage_km: 42000,
    kind: "oil_service",
    work_items: ["engine_oil", "Wiper blades replaced"],
    parts: [{ number: "11428575211", quantity: 1, description: "Oil filter" }],
    note: "Customer asked for a check of the wipers.",
    next_due_date: "2028-11-20",
    next_due_mileage_km: 72000,
    workshop: { name: "Werkstatt Muster GmbH", city: "München" },
    own: true,
    editable_until: "2026-12-04T10:00:00Z",
    editable: true,
    status: "active",
    corrects: null,
    corrected_by: [],
    created_at: "2026-11-20T10:00:00Z",
    updated_at: "2026-11-20T10:00:00Z",
    revision: 1,
    ...overrides,
  };
}

export const AIR_PASS_REQUIRED = {
  type: "/problems/air-pass-required",
  code: "air-pass-required",
  title: "AIR pass required",
  status: 403,
  detail: "Buy an AIR pass.",
};
