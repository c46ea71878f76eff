import type { EntitlementSummary } from "./api/get-entitlement-summary";

/** The portal warns when a scope's time ends within this many milliseconds. */
export const WARN_BEFORE_MS = 24 * 3_600_000;

/**
 * The scopes whose time ends soon: running now, ending within `withinMs` of `now`, and with
 * nothing bought to follow (no window starting at or after the end). Per-VIN passes are not
 * time passes and never count.
 */
export function expiringScopes(summary: Pick<EntitlementSummary, "scopes"> | undefined, now: number, withinMs = WARN_BEFORE_MS): { scope: string; validUntil: string }[] {
  if (summary === undefined) return [];
  const expiring: { scope: string; validUntil: string }[] = [];
  for (const scope of summary.scopes) {
    if (!scope.active || scope.valid_until === null) continue;
    const end = Date.parse(scope.valid_until);
    if (!(end > now && end - now <= withinMs)) continue;
    const queued = scope.windows.some((window) => Date.parse(window.valid_from) >= end);
    if (!queued) expiring.push({ scope: scope.scope, validUntil: scope.valid_until });
  }
  return expiring;
}
