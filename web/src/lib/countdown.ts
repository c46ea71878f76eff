/** Time left until a pass ends, split for display. */
export interface Remaining {
  expired: boolean;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** What is left from `nowMs` until `untilMs` (both epoch milliseconds), in whole seconds. */
export function remaining(untilMs: number, nowMs: number): Remaining {
  const total = Math.floor((untilMs - nowMs) / 1000);
  if (!Number.isFinite(total) || total <= 0) {
    return { expired: true, days: 0, hours: 0, minutes: 0, seconds: 0 };
  }
  return {
    expired: false,
    days: Math.floor(total / 86_400),
    hours: Math.floor((total % 86_400) / 3_600),
    minutes: Math.floor((total % 3_600) / 60),
    seconds: total % 60,
  };
}

const pad = (n: number): string => String(n).padStart(2, "0");

/** "2d 03h 04m 05s", "3h 04m 05s", "4m 05s" or "5s": the largest unit first, no leading zeros. */
export function formatRemaining(left: Remaining): string {
  if (left.days > 0) return `${left.days}d ${pad(left.hours)}h ${pad(left.minutes)}m ${pad(left.seconds)}s`;
  if (left.hours > 0) return `${left.hours}h ${pad(left.minutes)}m ${pad(left.seconds)}s`;
  if (left.minutes > 0) return `${left.minutes}m ${pad(left.seconds)}s`;
  return `${left.seconds}s`;
}
