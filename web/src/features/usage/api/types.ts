// Billing's usage read model, as the generated schema describes it.
import type { Schemas } from "../../../lib/api/client";

export type GroupBy = "day" | "member" | "vin";
/** `key` is the day (YYYY-MM-DD), the member's id or the VIN, after `group_by`; a member row
 * also names the member (`member_name`, `member_email`) when billing knows them. */
export type UsageRow = Schemas["UsageRowRead"];
export type UsageReport = Schemas["UsageReport"];
export type PassUsage = Schemas["PassUsageRead"];
export type PassUsageList = Schemas["PassUsageList"];

export interface UsageQuery {
  from: string;
  to: string;
  groupBy: GroupBy;
}
