// Billing's usage read model, typed by hand until its routes are in openapi.json.
export type GroupBy = "day" | "member" | "vin";

export interface UsageRow {
  /** The day (YYYY-MM-DD), the member or the VIN, after `group_by`. */
  key: string;
  air_searches: number;
  air_documents: number;
  programming_sessions: number;
  programming_jobs: number;
}

export interface UsageReport {
  items: UsageRow[];
  from: string;
  to: string;
}

export interface PassUsage {
  entitlement_id: string;
  scope: "AIR" | "PROGRAMMING";
  vin: string | null;
  valid_from: string;
  valid_until: string;
  bought_seconds: number;
  used_seconds: number;
}

export interface PassUsageList {
  items: PassUsage[];
}

export interface UsageQuery {
  from: string;
  to: string;
  groupBy: GroupBy;
}
