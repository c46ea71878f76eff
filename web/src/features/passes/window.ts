/**
 * Until when a new pass would run. Billing chains passes of a scope: a new one starts where the
 * organisation's running chain ends (`chainEnd`, from the entitlement summary), or now when
 * there is none, and lasts its duration.
 */
export function passWouldRunUntil({ chainEnd, durationSeconds, now }: { chainEnd: string | null; durationSeconds: number; now: number }): Date {
  const start = chainEnd === null ? now : Math.max(now, Date.parse(chainEnd));
  return new Date(start + durationSeconds * 1000);
}
