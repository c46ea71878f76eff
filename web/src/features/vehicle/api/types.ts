// The service book and maintenance shapes of issue 11, typed by hand from the agreed API while
// the backend is built in parallel; named after the server's schemas. Once openapi.json has
// them, these become `Schemas["..."]` names of the generated types. The vehicle and its catalog
// are AIR's (features/air).
export type { Catalog, Vehicle } from "../../air";

export type ServiceEntryKind = "inspection" | "oil_service" | "brake_fluid" | "repair" | "recall";
export const SERVICE_ENTRY_KINDS: readonly ServiceEntryKind[] = ["oil_service", "inspection", "brake_fluid", "repair", "recall"];

export interface Part {
  number: string;
  quantity: number;
  description: string;
}

/** One entry of a VIN's service book. Entries are never deleted: a voided one stays, marked. */
export interface ServiceEntry {
  id: string;
  vin: string;
  performed_on: string;
  mileage_km: number;
  kind: ServiceEntryKind;
  /** A maintenance rule id ("engine_oil") marks that job as done; anything else is free text. */
  work_items: string[];
  parts: Part[];
  note: string;
  next_due_date: string | null;
  next_due_mileage_km: number | null;
  /** The workshop that wrote it: company name and city, never a person. */
  workshop: { name: string; city: string | null };
  /** Written by the caller's organisation. */
  own: boolean;
  editable_until: string;
  editable: boolean;
  status: "active" | "voided";
  corrects: string | null;
  corrected_by: string[];
  created_at: string;
  updated_at: string;
  revision: number;
}

/** GET /api/air/vehicles/{vin}/service-entries, newest first. */
export interface ServiceEntryList {
  vin: string;
  items: ServiceEntry[];
}

/** POST /api/air/vehicles/{vin}/service-entries. */
export interface ServiceEntryCreate {
  performed_on: string;
  mileage_km: number;
  kind: ServiceEntryKind;
  work_items: string[];
  parts: Part[];
  note: string;
  next_due_date?: string | null;
  next_due_mileage_km?: number | null;
  corrects?: string | null;
}

/** PATCH /api/air/service-entries/{id}: the revision read, so that a change in between is refused. */
export type ServiceEntryUpdate = Omit<ServiceEntryCreate, "corrects"> & { revision: number };

export type ScheduleStatus = "overdue" | "due" | "due_soon" | "ok" | "unknown";
export const SCHEDULE_STATUSES: readonly ScheduleStatus[] = ["overdue", "due", "due_soon", "ok", "unknown"];

export interface ScheduleItem {
  rule_id: string;
  title: string;
  status: ScheduleStatus;
  due_date: string | null;
  due_mileage_km: number | null;
  interval_km: number | null;
  interval_months: number | null;
  last_done: { entry_id: string; performed_on: string; mileage_km: number } | null;
  basis: "last_entry" | "first_registration" | "unknown";
  document_id: string | null;
}

/** GET /api/air/vehicles/{vin}/schedule: what is due at a mileage. */
export interface Schedule {
  vin: string;
  as_of: string;
  mileage_km: number | null;
  items: ScheduleItem[];
  notes: string[];
}
