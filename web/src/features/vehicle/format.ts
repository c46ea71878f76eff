import type { ScheduleStatus } from "./api/types";

/** A mileage as the reader's language writes it: "45,000 km", "45.000 km" in German. */
export function formatKm(km: number, language: string): string {
  return `${new Intl.NumberFormat(language).format(km)} km`;
}

/** A calendar day ("2026-05-04") as the reader's language writes it ("04.05.2026" in German).
 * Read as UTC, so that no time zone moves it to the day before. */
export function formatDay(day: string, language: string): string {
  const date = new Date(`${day.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeZone: "UTC" }).format(date);
}

/** Today as an ISO day in the reader's own time zone (what a date field shows). */
export function today(now: Date = new Date()): string {
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 10);
}

/** The colour that goes with a status; the status is always written out next to it as well. */
export const STATUS_COLOR: Record<ScheduleStatus, string> = {
  overdue: "red",
  due: "orange",
  due_soon: "yellow",
  ok: "green",
  unknown: "gray",
};

/** The maintenance rule ids the portal knows by name, offered as work items when the schedule
 * cannot be read (no pass yet: writing needs none). */
export const KNOWN_RULES = ["engine_oil", "brake_fluid", "spark_plugs", "cabin_filter", "vehicle_check"] as const;
