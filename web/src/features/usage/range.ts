/** A calendar day as YYYY-MM-DD, in the reader's time zone (what a date field shows). */
export function isoDay(moment: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}`;
}

/** The report's first range: the last 30 days, today included. */
export function defaultRange(now: Date): { from: string; to: string } {
  const from = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 29);
  return { from: isoDay(from), to: isoDay(now) };
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function isDay(value: string): boolean {
  const match = DAY.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export type RangeProblem = "missing" | "invalid" | "reversed";

/** Why `from`..`to` is no range to ask for, or null when it is one (both days included). */
export function rangeProblem(from: string, to: string): RangeProblem | null {
  if (from === "" || to === "") return "missing";
  if (!isDay(from) || !isDay(to)) return "invalid";
  // Same format, so the text order is the calendar order.
  return from > to ? "reversed" : null;
}

/** Used against bought as a share from 0 to 100 (nothing bought: 0). */
export function usedPercent(usedSeconds: number, boughtSeconds: number): number {
  if (boughtSeconds <= 0) return 0;
  return Math.min(100, Math.max(0, Math.round((usedSeconds / boughtSeconds) * 100)));
}
